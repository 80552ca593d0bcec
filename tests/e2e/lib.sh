# SPDX-License-Identifier: MIT
# lib.sh - helpers for the end-to-end tests (sourced, not run)
#
# Each test gets a fresh home in a temp dir, the built executables on PATH,
# and a trap that stops every process it started. Waits poll the broker with
# a timeout (copydesk wait / status); nothing relies on sleep for correctness.
set -euo pipefail

BIN=${COPYDESK_BIN:?COPYDESK_BIN must point at the built executables}
SRC=${COPYDESK_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SHARED=${COPYDESK_SHARED:-$SRC/../shared}
export PATH="$BIN:$PATH"
E2E_HOME=$(mktemp -d /tmp/copydesk-e2e.XXXXXX)
export COPYDESK_HOME=$E2E_HOME
E2E_PIDS=()
E2E_NAME=$(basename "$0" .sh)

e2e_log () { printf '%s [%s] %s\n' "$(date +%T)" "$E2E_NAME" "$*" >&2; }

e2e_fail () {
    e2e_log "FAIL: $*"
    e2e_log "--- logs in $E2E_HOME (last lines) ---"
    for f in "$E2E_HOME"/logs/*.log "$E2E_HOME"/*.log; do
        [ -f "$f" ] || continue
        echo "== $f" >&2
        tail -n 30 "$f" >&2 || true
    done
    E2E_KEEP=1
    exit 1
}

e2e_cleanup () {
    local rc=$?
    copydesk down >/dev/null 2>&1 || true
    for pid in "${E2E_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${E2E_PIDS[@]:-}"; do
        [ -n "$pid" ] && { timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
    done
    if [ "${E2E_KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
        e2e_log "home kept for inspection: $E2E_HOME"
    else
        rm -rf "$E2E_HOME"
    fi
}
trap e2e_cleanup EXIT

# Start a process in the background, logging to $E2E_HOME/logs/<name>.log.
# Prints its pid. Usage: pid=$(e2e_start NAME command args...)
e2e_start () {
    local name=$1; shift
    mkdir -p "$E2E_HOME/logs"
    "$@" >>"$E2E_HOME/logs/$name.log" 2>&1 &
    echo $!
}

# The broker's statistics as JSON
e2e_stats () { copydesk status --json; }

# A number from the statistics: e2e_stat '.stored'
e2e_stat () { copydesk status --json | jq -r "$1"; }

# Wait until a jq condition on the statistics holds, or fail after a timeout.
# Usage: e2e_wait_for '.queues.normalize.workers >= 1' 30
e2e_wait_for () {
    local cond=$1 timeout=${2:-60} start=$SECONDS
    while true; do
        if copydesk status --json 2>/dev/null | jq -e "$cond" >/dev/null 2>&1; then
            return 0
        fi
        if [ $((SECONDS - start)) -ge "$timeout" ]; then
            e2e_fail "timed out after ${timeout}s waiting for: $cond"
        fi
        copydesk wait --idle --timeout 1 >/dev/null 2>&1 || true
    done
}

# Number of rows in the store
e2e_rows () { sqlite3 "$E2E_HOME/store.db" 'SELECT count(*) FROM stories;'; }

# Number of distinct uris in the store
e2e_uris () { sqlite3 "$E2E_HOME/store.db" 'SELECT count(DISTINCT uri) FROM stories;'; }

e2e_assert_eq () {
    [ "$1" = "$2" ] || e2e_fail "$3: expected $2, got $1"
    e2e_log "ok: $3 = $1"
}
