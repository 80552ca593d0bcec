#!/bin/bash
# SPDX-License-Identifier: MIT
#  classify_eval - the full classification evaluation, and the stage
#
#  1. `copydesk train` on the ModApte training split of the Reuters corpus
#     (about 10-20 s of CPU in a Release build, a minute or two with ASan)
#     must rebuild the shipped config/model/reuters.cdm byte for byte.
#  2. `copydesk eval` of that model on the ModApte test split must reach the
#     targets: 90-category micro-F1 >= 0.88, macro-F1 >= 0.55, top-10
#     micro-F1 >= 0.93, places micro-F1 >= 0.85.
#  3. The classify stage in the real pipeline: a Reuters file goes through,
#     copydesk-classify gets SIGHUP mid-stream (reload between deliveries),
#     every story is stored exactly once and the classified ones carry
#     subjects with creator "classify".

source "$(dirname "$0")/lib.sh"
corpus=$SHARED/data/reuters21578
[ -f "$corpus/reut2-000.sgm" ] || e2e_fail "Reuters corpus not found in $corpus"

start=$SECONDS
copydesk train --corpus "$corpus" --out "$E2E_HOME/model.cdm" >"$E2E_HOME/train.txt" 2>&1 \
    || { cat "$E2E_HOME/train.txt" >&2; e2e_fail "copydesk train failed"; }
e2e_log "trained in $((SECONDS - start))s: $(head -1 "$E2E_HOME/train.txt")"
cmp -s "$E2E_HOME/model.cdm" "$SRC/config/model/reuters.cdm" \
    || e2e_fail "the retrained model differs from config/model/reuters.cdm: rebuild it with" \
                "copydesk train --corpus ../shared/data/reuters21578 --out config/model/reuters.cdm"

start=$SECONDS
copydesk eval --corpus "$corpus" --model "$E2E_HOME/model.cdm" \
    --require micro=0.88,macro=0.55,top10=0.93,places=0.85 >"$E2E_HOME/eval.txt" 2>&1 \
    || { tail -n 8 "$E2E_HOME/eval.txt" >&2; e2e_fail "evaluation below the targets"; }
tail -n 4 "$E2E_HOME/eval.txt" >&2
copydesk eval --corpus "$corpus" --model "$E2E_HOME/model.cdm" --json >"$E2E_HOME/eval.json"
jq -e '.subjects.categories == 90 and .subjects.stories == 3019 and .places.stories == 3299' \
    "$E2E_HOME/eval.json" >/dev/null || e2e_fail "eval --json does not describe the ModApte protocol"
e2e_log "evaluated in $((SECONDS - start))s"

#  The stage, with a reload in the middle of the stream
copydesk up --timeout 60 >/dev/null || e2e_fail "copydesk up failed"
pidfile="$E2E_HOME/run/classify.pid"
[ -f "$pidfile" ] || pidfile=$(ls "$E2E_HOME"/run/classify*.pid 2>/dev/null | head -1)
[ -n "$pidfile" ] && [ -f "$pidfile" ] || e2e_fail "no pid file of copydesk-classify in $E2E_HOME/run"
classify_pid=$(cat "$pidfile")
copydesk push --source reuters --format reuters-sgml "$corpus/reut2-000.sgm" "$corpus/reut2-001.sgm" \
    >/dev/null 2>&1 &
push_pid=$!
E2E_PIDS+=("$push_pid")
kill -HUP "$classify_pid" || e2e_fail "cannot signal copydesk-classify ($classify_pid)"
wait "$push_pid" || e2e_fail "push failed"
copydesk wait --idle --timeout 300 >/dev/null || e2e_fail "pipeline did not become idle"
kill -HUP "$classify_pid"
copydesk wait --idle --timeout 60 >/dev/null || e2e_fail "pipeline did not become idle after a reload"
kill -0 "$classify_pid" 2>/dev/null || e2e_fail "copydesk-classify died on SIGHUP"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(DISTINCT uri) FROM stories WHERE source='reuters'")" 2000 "stories stored"
e2e_assert_eq "$(e2e_stat '.dead')" 0 "dead letters"
grep -q "reload" "$E2E_HOME"/logs/*classify*.log 2>/dev/null || e2e_log "note: no reload line in the classify log"
subjects=$(copydesk show urn:reuters21578:newid:2 --json | jq '[.subjects[]? | select(.creator == "classify")] | length')
[ "$subjects" -ge 1 ] || e2e_fail "NEWID 2 has no subject from the classifier"
places=$(copydesk show urn:reuters21578:newid:2 --json | jq -r '[.places[]? | .literal // .name] | join(",")')
e2e_log "NEWID 2: $subjects classify subjects, places $places"
copydesk down >/dev/null
e2e_log "passed"
