#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# config/copydesk.cfg documents every key the code reads, it loads as ZPL,
# and copying it unchanged into a home changes nothing: the pipeline comes up
# with the same workers and credit windows as with no config at all.
source "$(dirname "$0")/lib.sh"
cfg=$SRC/config/copydesk.cfg

# Every "section/key" string literal in the code (include paths have a dot)
keys=$(grep -rhoE '"(broker|workers|ingest|normalize|classify|store|push|supervisor|feeds|spools)/[a-z_]+"' \
       "$SRC/common" "$SRC/services" --include='*.c' | tr -d '"' | sort -u)
missing=0
for key in $keys; do
    section=${key%%/*}
    name=${key##*/}
    # the section header, then the key (set or commented out) before the next section
    if ! awk -v s="$section" -v k="$name" '
        /^[a-z_]+[ \t]*(#.*)?$/ { insec = ($1 == s) }
        insec && $0 ~ "^[ \t]+#?[ \t]*" k "[ \t]*=" { found = 1 }
        END { exit !found }' "$cfg"; then
        e2e_log "not documented in config/copydesk.cfg: $key"
        missing=$((missing + 1))
    fi
done
[ "$missing" = 0 ] || e2e_fail "$missing config keys are not documented"
e2e_log "ok: $(echo "$keys" | wc -l) keys documented"

# The shipped file as a home's config: same result as no config at all
copydesk up --timeout 60 >/dev/null || e2e_fail "up without a config failed"
plain=$(copydesk status --json | jq -c '[.workers[] | {queue, credit}] | sort_by(.queue)')
copydesk down >/dev/null
cp "$cfg" "$E2E_HOME/copydesk.cfg"
copydesk up --timeout 60 >/dev/null || e2e_fail "up with the shipped config failed"
shipped=$(copydesk status --json | jq -c '[.workers[] | {queue, credit}] | sort_by(.queue)')
e2e_assert_eq "$shipped" "$plain" "workers and credits with the shipped config"
[ ! -f "$E2E_HOME/run/feeder.pid" ] || e2e_fail "the feeder started although no feed is declared"
copydesk down >/dev/null
e2e_log "passed"
