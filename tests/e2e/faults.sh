#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Faults: with two workers per stage started by hand, kill -9 one worker of
# each stage while it has stories in flight, then kill -9 the broker mid-run and
# restart it (a push is in progress across the restart). Every Reuters story
# must end up stored exactly once, nothing dead.
source "$(dirname "$0")/lib.sh"
corpus=$SHARED/data/reuters21578
[ -f "$corpus/reut2-000.sgm" ] || e2e_fail "Reuters corpus not found in $corpus"

# Short heartbeats so dead peers are noticed quickly
cat > "$E2E_HOME/copydesk.cfg" <<CFG
broker
    heartbeat = 500
    liveness = 4
CFG

broker=$(e2e_start broker copydesk-broker)
E2E_PIDS+=("$broker")
declare -A workers
for stage in ingest normalize classify store; do
    for n in 1 2; do
        pid=$(e2e_start "$stage-$n" "copydesk-$stage")
        E2E_PIDS+=("$pid")
        workers[$stage-$n]=$pid
    done
done
e2e_wait_for '[.workers[] ] | length == 8' 30

copydesk push --source reuters --format reuters-sgml "$corpus"/reut2-*.sgm >/dev/null \
    || e2e_fail "push failed"

for stage in ingest normalize classify store; do
    e2e_wait_for ".queues.$stage.inflight > 0" 120
    kill -9 "${workers[$stage-1]}"
    e2e_log "killed $stage worker ${workers[$stage-1]} with $(e2e_stat ".queues.$stage.inflight") in flight on $stage"
done

e2e_wait_for '.stored >= 6000' 600
e2e_log "killing the broker at stored=$(e2e_stat .stored)"
kill -9 "$broker"
# A push started while the broker is down must still get through
copydesk push --source samples --timeout 60 "$SRC/samples" >/dev/null 2>&1 &
push_pid=$!
broker=$(e2e_start broker copydesk-broker)
E2E_PIDS+=("$broker")
e2e_log "broker restarted (pid $broker)"
wait "$push_pid" || e2e_fail "push across the broker restart failed"
replayed=$(e2e_stat '.journal.replayed')
[ "$replayed" -gt 0 ] || e2e_fail "the restarted broker replayed nothing from its journal"
e2e_log "ok: broker replayed $replayed messages"

copydesk wait --idle --timeout 1200 || e2e_fail "pipeline did not become idle"
e2e_wait_for '.idle == true and ([.workers[]] | length) == 4' 60

e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='reuters'")" 21578 "Reuters rows (each story once)"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(DISTINCT uri) FROM stories WHERE source='reuters'")" 21578 "distinct Reuters uris"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='samples'")" 7 "sample stories pushed across the restart"
e2e_assert_eq "$(copydesk dead --json | wc -l)" 0 "dead letters"
e2e_log "passed"
