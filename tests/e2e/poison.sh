#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Poison: a story that crashes its normalize worker every time (fault
# injection: COPYDESK_FAULT) must end in the dead-letter log after max
# attempts, while every other story flows on. Runs under copydesk up, whose
# supervisor restarts the crashing worker.
source "$(dirname "$0")/lib.sh"
corpus=$SHARED/data/reuters21578
[ -f "$corpus/reut2-000.sgm" ] || e2e_fail "Reuters corpus not found in $corpus"

cat > "$E2E_HOME/copydesk.cfg" <<CFG
broker
    heartbeat = 500
    liveness = 4
    max_attempts = 4
CFG
marker="POISON-7f3a91"
mkdir -p "$E2E_HOME/in"
printf 'Council meeting ends early\n\nTOWNSVILLE, May 2 - The meeting ended early. %s\n' "$marker" \
    > "$E2E_HOME/in/poison.txt"

COPYDESK_FAULT="normalize:crash-on:$marker" copydesk up --workers normalize=2 --timeout 60 >/dev/null \
    || e2e_fail "copydesk up failed"
copydesk push --source reuters --format reuters-sgml "$corpus"/reut2-00[0-2].sgm >/dev/null || e2e_fail "push failed"
copydesk push --source poison "$E2E_HOME/in/poison.txt" >/dev/null || e2e_fail "push failed"
copydesk push --source samples "$SRC/samples" >/dev/null || e2e_fail "push failed"
copydesk wait --idle --timeout 600 || e2e_fail "pipeline did not become idle"

e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='reuters'")" 3000 "Reuters rows"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='samples'")" 7 "sample rows"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='poison'")" 0 "poison rows"
dead=$(copydesk dead --json)
e2e_assert_eq "$(echo "$dead" | jq -s 'length')" 1 "dead letters"
e2e_assert_eq "$(echo "$dead" | jq -r '.stage')" normalize "dead letter stage"
attempts=$(echo "$dead" | jq -r '.attempts')
[ "$attempts" -ge 4 ] || e2e_fail "dead letter after $attempts attempts, expected >= 4"
echo "$dead" | jq -e '.reason | test("attempts|died|timed out")' >/dev/null || e2e_fail "dead letter reason: $(echo "$dead" | jq -r .reason)"
e2e_log "ok: dead letter: $(echo "$dead" | jq -r .reason)"
crashes=$(grep -c "normalize-[0-9] (pid [0-9]*) was killed by signal 6" "$E2E_HOME/logs/supervisor.log" || true)
[ "$crashes" -ge 4 ] || e2e_fail "normalize workers crashed $crashes times; expected one crash per attempt (4)"
e2e_log "ok: normalize workers crashed $crashes times and were restarted by the supervisor"
copydesk down >/dev/null
e2e_log "passed"
