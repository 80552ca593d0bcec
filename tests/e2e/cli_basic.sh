#!/bin/bash
# SPDX-License-Identifier: MIT
#  cli_basic - the copydesk command line against the real processes
#
#  up -> status -> push -> tap -> wait -> dead -> broker killed mid-push ->
#  down, in a temporary home. With every stage executable built, documents
#  go all the way to the store; otherwise the test runs the broker alone
#  (up --broker-only) and checks what reaches the ingest queue. Every wait
#  is `copydesk wait`, `copydesk tap --count` or a poll with a deadline.

set -u
BIN=${COPYDESK_BIN:?COPYDESK_BIN must name the folder of the executables}
CD="$BIN/copydesk"
WORK=$(mktemp -d /tmp/copydesk-e2e-cli-XXXXXX)
export COPYDESK_HOME="$WORK/home"
mkdir -p "$COPYDESK_HOME"
TAP_PID=
PUSH_PID=

cleanup () {
    [ -n "$TAP_PID" ] && kill "$TAP_PID" 2>/dev/null
    [ -n "$PUSH_PID" ] && kill "$PUSH_PID" 2>/dev/null
    "$CD" down --timeout 20 >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

fail () {
    echo "FAIL: $*"
    for log in "$COPYDESK_HOME"/logs/*.log; do
        [ -f "$log" ] || continue
        echo "--- $log (last lines)"
        tail -n 15 "$log"
    done
    exit 1
}

step () { echo "== $*"; }

#  A JSON field with python (jq may not be installed): json_get FILE EXPR
json_get () {
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$1" "$2"
}

#  Poll until a command succeeds or the deadline passes
poll () {
    local seconds=$1; shift
    local deadline=$(( $(date +%s) + seconds ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

FULL=1
for stage in ingest normalize classify store; do
    [ -x "$BIN/copydesk-$stage" ] || FULL=0
done
cat > "$COPYDESK_HOME/copydesk.cfg" <<'EOF'
broker
    heartbeat = 200
    liveness = 10
EOF
#  The high mark holds the mid-push kill below in place (see there)
[ "$FULL" = 1 ] && printf '    high_mark = 1000\n' >> "$COPYDESK_HOME/copydesk.cfg"
if [ "$FULL" = 1 ]; then
    UP_ARGS=()
    echo "mode: whole pipeline"
else
    UP_ARGS=(--broker-only)
    echo "mode: broker only (not every stage executable is built)"
fi

step "help and usage"
"$CD" --help | grep -q "Commands:" || fail "copydesk --help lists no commands"
for command in up down status wait push tap dead; do
    "$CD" "$command" --help | grep -q "Example" || fail "copydesk $command --help has no example"
done
"$CD" frobnicate >/dev/null 2>&1
[ $? = 2 ] || fail "an unknown command should exit 2"

step "status and down before up"
out=$("$CD" status 2>&1) && fail "status should fail when nothing runs"
echo "$out" | grep -q "not running" || fail "status said: $out"
"$CD" down | grep -q "was not running" || fail "down with nothing running"

step "up"
"$CD" up "${UP_ARGS[@]}" --timeout 60 || fail "copydesk up failed"
"$CD" up "${UP_ARGS[@]}" | grep -q "already up" || fail "a second up should say it is already up"
[ -f "$COPYDESK_HOME/run/supervisor.pid" ] || fail "no supervisor pid file"
[ -f "$COPYDESK_HOME/logs/broker.log" ] || fail "no broker log"

step "status --json"
"$CD" status --json > "$WORK/status.json" || fail "status --json failed"
[ "$(json_get "$WORK/status.json" "d['queues']['ingest']['depth']")" = 0 ] || fail "ingest not empty at start"
for key in version pid uptime documents accepted stored dead idle queues workers journal; do
    json_get "$WORK/status.json" "d['$key']" >/dev/null || fail "stats lack '$key'"
done
if [ "$FULL" = 1 ]; then
    [ "$(json_get "$WORK/status.json" "len(d['workers'])")" -ge 4 ] || fail "workers did not register"
fi
"$CD" status | grep -q "^ingest" || fail "status tables"

step "push documents (with a tap watching)"
mkdir -p "$WORK/in/nested" "$WORK/in/.hidden"
for i in $(seq 1 20); do
    dir="$WORK/in"
    [ "$i" -gt 10 ] && dir="$WORK/in/nested"
    printf 'E2E story number %d about copper prices\n\nLONDON - Copper rose on story %d.\n\nTraders said demand was firm.\n' \
        "$i" "$i" > "$dir/story-$i.txt"
done
echo "hidden, never pushed" > "$WORK/in/.hidden/skip.txt"
echo "hidden, never pushed" > "$WORK/in/.skip.txt"
"$CD" tap pushed --json --verbose --count 20 --timeout 60 > "$WORK/tap.jsonl" 2> "$WORK/tap.err" &
TAP_PID=$!
#  The tap's subscription must be in place before we push: it says so
#  once it has seen the broker's $stats
poll 30 grep -q connected "$WORK/tap.err" || fail "the tap did not connect"
"$CD" push --source e2e "$WORK/in" 2> "$WORK/push.err" || { cat "$WORK/push.err"; fail "push failed"; }
grep -q "pushed 20 documents" "$WORK/push.err" || fail "push summary: $(cat "$WORK/push.err")"
wait "$TAP_PID" || fail "tap did not see 20 pushed events"
TAP_PID=
[ "$(wc -l < "$WORK/tap.jsonl")" = 20 ] || fail "tap printed $(wc -l < "$WORK/tap.jsonl") lines"
python3 - "$WORK/tap.jsonl" <<'EOF' || fail "tap JSON lines"
import json, sys
for line in open(sys.argv[1]):
    event = json.loads(line)
    assert event["topic"] == "pushed.e2e", event["topic"]
    assert event["payload"]["source"] == "e2e"
    assert event["payload"]["origin"].endswith(".txt")
    assert ".hidden" not in event["payload"]["origin"] and ".skip" not in event["payload"]["origin"]
    assert event["payload"]["data"]["size"] > 40
    assert "T" in event["time"]
EOF
printf 'Stdin story\n\nPushed from a pipe.\n' | "$CD" push --quiet --source e2e - || fail "push from stdin"
"$CD" status --json > "$WORK/status.json"
[ "$(json_get "$WORK/status.json" "d['documents']")" = 21 ] || fail "the broker counted $(json_get "$WORK/status.json" "d['documents']") documents, not 21"

if [ "$FULL" = 1 ]; then
    step "wait --idle (whole pipeline)"
    "$CD" wait --idle --timeout 300 || fail "the pipeline did not become idle"
    "$CD" status --json > "$WORK/status.json"
    stored=$(json_get "$WORK/status.json" "d['stored']")
    [ "$stored" = 21 ] || fail "stored $stored stories, not 21"
    [ "$(json_get "$WORK/status.json" "d['dead']")" = 0 ] || fail "dead letters in a clean run"
else
    step "wait --idle times out while documents wait for an ingest worker"
    "$CD" wait --idle --timeout 1 2>/dev/null && fail "wait --idle should time out with queued documents"
    [ "$(json_get "$WORK/status.json" "d['queues']['ingest']['depth']")" = 21 ] || fail "ingest depth"
fi

step "files that cannot be sent become dead letters"
head -c 5000 /dev/urandom > "$WORK/big.bin"
"$CD" push --quiet --max-size 1k --source e2e "$WORK/big.bin" 2> "$WORK/push.err" && fail "push of a too-large file should exit 1"
grep -q "too large" "$WORK/push.err" || fail "push error: $(cat "$WORK/push.err")"
poll 30 sh -c "'$CD' dead --json --stage push | grep -q 'too large'" || fail "no dead letter for the large file"
"$CD" dead --json --stage push > "$WORK/dead.jsonl"
python3 - "$WORK/dead.jsonl" "$WORK/big.bin" <<'EOF' || fail "dead letter content"
import hashlib, json, sys
record = json.loads(open(sys.argv[1]).readlines()[-1])
data = open(sys.argv[2], "rb").read()
assert record["stage"] == "push"
assert record["size"] == len(data), record["size"]
assert record["sha256"] == hashlib.sha256(data).hexdigest()
assert record["origin"].endswith("big.bin")
assert record["raw"]["size"] == 4096
EOF
"$CD" dead | grep -q "reason: file too large" || fail "dead text output"

step "push survives a broker killed mid-push"
#  To kill the broker while the push surely has documents in flight, the
#  push is held deterministically: the ingest queue's high mark is 1000
#  (set in the config above) and the ingest worker is stopped, so the
#  broker stops accepting at 1000 and the push waits with a full window.
#  Without workers (broker only) the queue never drains, so there the
#  mark is left at its default and the kill lands mid-push by timing.
mkdir -p "$WORK/many"
python3 - "$WORK/many" <<'EOF'
import os, sys
for i in range(5000):
    with open(os.path.join(sys.argv[1], "m%05d.txt" % i), "w") as f:
        f.write("Restart story %d\n\nBody of restart story %d.\n" % (i, i))
EOF
before=$(json_get "$WORK/status.json" "d['documents']")
ingest_pid=
if [ "$FULL" = 1 ]; then
    ingest_pid=$(cat "$COPYDESK_HOME/run/ingest-1.pid")
    kill -STOP "$ingest_pid" || fail "cannot stop ingest-1"
fi
"$CD" push --quiet --source restart --timeout 120 --window 64 "$WORK/many" 2> "$WORK/push.err" &
PUSH_PID=$!
if [ "$FULL" = 1 ]; then
    poll 60 sh -c "'$CD' status --json 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"queues\"][\"ingest\"][\"depth\"] >= 1000 else 1)'" \
        || fail "the ingest queue did not reach its high mark"
    kill -0 "$PUSH_PID" 2>/dev/null || fail "push finished although the broker holds publishes above the high mark"
else
    poll 30 sh -c "'$CD' status --json 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"documents\"] > $before else 1)'" \
        || fail "the push did not start"
fi
broker=$(cat "$COPYDESK_HOME/run/broker.pid")
kill -9 "$broker" || fail "cannot kill the broker"
if [ "$FULL" = 1 ]; then
    poll 30 grep -q "reconnecting" "$WORK/push.err" || fail "push did not notice the broker's death: $(cat "$WORK/push.err")"
    kill -CONT "$ingest_pid" || fail "cannot resume ingest-1"
fi
wait "$PUSH_PID"
rc=$?
PUSH_PID=
[ $rc = 0 ] || { cat "$WORK/push.err"; fail "push did not survive the broker restart (exit $rc)"; }
grep -q "reconnecting" "$WORK/push.err" || fail "push finished before the broker was killed: $(cat "$WORK/push.err")"
poll 30 sh -c "'$CD' status >/dev/null 2>&1" || fail "the supervisor did not restart the broker"
new_broker=$(cat "$COPYDESK_HOME/run/broker.pid")
[ "$new_broker" != "$broker" ] || fail "the broker was not restarted"
if [ "$FULL" = 1 ]; then
    "$CD" wait --idle --timeout 600 || fail "not idle after the restart"
    #  Every story stored exactly once (the store upserts redeliveries)
    count=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(distinct uri), count(*) from stories').fetchone())" \
            "$COPYDESK_HOME/store.db") || fail "cannot read the store"
    [ "$count" = "(5021, 5021)" ] || fail "the store holds (distinct uris, rows) = $count, expected (5021, 5021)"
else
    "$CD" status --json > "$WORK/status.json"
    depth=$(json_get "$WORK/status.json" "d['queues']['ingest']['depth']")
    #  Nothing lost (duplicates are allowed: at least once)
    [ "$depth" -ge 5021 ] || fail "ingest holds $depth documents after the restart, expected >= 5021"
fi
grep -q "restarting" "$COPYDESK_HOME/logs/supervisor.log" || fail "the supervisor did not log the restart"

if [ "$FULL" = 1 ]; then
    step "a killed worker is restarted and registers again"
    old=$(cat "$COPYDESK_HOME/run/normalize-1.pid")
    kill -9 "$old" || fail "cannot kill normalize-1"
    poll 30 sh -c "[ -f '$COPYDESK_HOME/run/normalize-1.pid' ] && [ \"\$(cat '$COPYDESK_HOME/run/normalize-1.pid')\" != '$old' ]" \
        || fail "normalize-1 was not restarted"
    new=$(cat "$COPYDESK_HOME/run/normalize-1.pid")
    poll 30 sh -c "'$CD' status --json | python3 -c 'import json,sys; sys.exit(0 if any(w[\"pid\"] == $new for w in json.load(sys.stdin)[\"workers\"]) else 1)'" \
        || fail "the restarted normalize worker did not register"
fi

step "down"
"$CD" down || fail "down failed"
[ -f "$COPYDESK_HOME/run/supervisor.pid" ] && fail "supervisor pid file left behind"
[ -f "$COPYDESK_HOME/run/broker.pid" ] && fail "broker pid file left behind"
kill -0 "$new_broker" 2>/dev/null && fail "the broker still runs"
"$CD" status >/dev/null 2>&1 && fail "status should fail after down"

step "push with no broker fails clearly"
out=$("$CD" push --timeout 1 --source e2e "$WORK/in/story-1.txt" 2>&1) && fail "push without a broker should fail"
echo "$out" | grep -q "cannot reach the broker" || fail "push said: $out"

echo "PASS"
