#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile peers on the wire: random bytes, a ZMTP peer announcing a 1 TB frame,
# and a flood of half-open connections on the broker's tcp endpoint; garbage
# files pushed as documents. The broker keeps serving and good stories still
# get through. (Protocol-level garbage — wrong versions, container bombs, bad
# frames — is covered by tests/unit/test_broker.c against the same broker.)
source "$(dirname "$0")/lib.sh"

port=$(( 20000 + RANDOM % 20000 ))
cat > "$E2E_HOME/copydesk.cfg" <<CFG
broker
    tcp = tcp://127.0.0.1:$port
    max_frame = 8M
CFG
copydesk up --timeout 60 >/dev/null || e2e_fail "copydesk up failed"
broker_pid=$(cat "$E2E_HOME/run/broker.pid")

# 1. Random bytes, several connections
for i in 1 2 3 4 5; do
    head -c 65536 /dev/urandom > /dev/tcp/127.0.0.1/$port 2>/dev/null || true
done
# 2. A valid ZMTP 3.0 greeting + READY as a DEALER, then a frame claiming 1 TB
{
    printf '\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f'      # signature
    printf '\x03\x00'                                       # version 3.0
    printf 'NULL'; head -c 16 /dev/zero                     # mechanism
    printf '\x00'; head -c 31 /dev/zero                     # as-server, filler
    printf '\x04\x1c\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER'
    printf '\x02\x00\x00\x01\x00\x00\x00\x00\x00'           # long frame, 2^40 bytes
    head -c 100000 /dev/urandom
} > /dev/tcp/127.0.0.1/$port 2>/dev/null || true
# 3. Many connections opened and dropped
for i in $(seq 1 50); do
    exec 7<>/dev/tcp/127.0.0.1/$port && exec 7>&- || true
done
kill -0 "$broker_pid" || e2e_fail "the broker died"
copydesk status --json >/dev/null || e2e_fail "the broker stopped answering"
e2e_log "ok: broker alive and answering after hostile connections"

# 4. Garbage documents: binary junk, an empty file, an HTML page, truncated XML
mkdir -p "$E2E_HOME/junk"
head -c 20000 /dev/urandom > "$E2E_HOME/junk/random.bin"
: > "$E2E_HOME/junk/empty.xml"
printf '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Not found</body></html>' > "$E2E_HOME/junk/error-page.rss"
printf '<?xml version="1.0"?><nitf><head><title>Cut off' > "$E2E_HOME/junk/truncated.xml"
printf '{"uri": "x", "headline": "unterminated' > "$E2E_HOME/junk/bad.json"
copydesk push --source junk "$E2E_HOME/junk" >/dev/null 2>&1 || true
copydesk push --source samples "$SRC/samples" >/dev/null || e2e_fail "push of good samples failed"
copydesk wait --idle --timeout 120 || e2e_fail "pipeline did not become idle"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='samples'")" 7 "good stories stored"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='junk'")" 0 "junk stories stored"
dead=$(copydesk dead --json | jq -s 'length')
[ "$dead" -ge 5 ] || e2e_fail "expected a dead letter per junk file (>= 5), got $dead"
e2e_log "ok: $dead dead letters for the junk files"
copydesk dead --json | jq -r '.reason' | while read -r reason; do e2e_log "  dead: $reason"; done
kill -0 "$broker_pid" || e2e_fail "the broker died"
copydesk down >/dev/null
e2e_log "passed"
