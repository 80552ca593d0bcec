#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End to end: all 21,578 Reuters-21578 stories pushed through the real pipeline
# (copydesk up: broker, supervisor, one worker per stage) -> exactly 21,578
# stored, searchable, nothing dead. The project's own samples go along.
source "$(dirname "$0")/lib.sh"
corpus=$SHARED/data/reuters21578
[ -f "$corpus/reut2-000.sgm" ] || e2e_fail "Reuters corpus not found in $corpus"

copydesk up --timeout 60 >/dev/null || e2e_fail "copydesk up failed"
copydesk push --source reuters --format reuters-sgml "$corpus"/reut2-*.sgm \
    || e2e_fail "push of the corpus failed"
copydesk push --source samples "$SRC/samples" || e2e_fail "push of the samples failed"
copydesk wait --idle --timeout 1200 || e2e_fail "pipeline did not become idle"

e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='reuters'")" 21578 "Reuters rows"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(DISTINCT uri) FROM stories WHERE source='reuters'")" 21578 "distinct Reuters uris"
e2e_assert_eq "$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE source='samples'")" 7 "sample stories (5 files, one feed of 3)"
e2e_assert_eq "$(e2e_stat '.dead')" 0 "dead letters"
e2e_assert_eq "$(e2e_stat '.idle')" true "idle"
stored=$(e2e_stat '.stored')
[ "$stored" -ge 21585 ] || e2e_fail "broker counted $stored stored acknowledgements, expected >= 21585"

# Searchable: a word from a known story, and show by uri
hits=$(copydesk search cocoa --json --limit 100 | wc -l)
[ "$hits" -ge 20 ] || e2e_fail "search cocoa found $hits stories"
e2e_log "ok: search cocoa -> $hits stories"
copydesk search "BAHIA COCOA" --json --limit 5 | jq -s -e 'any(.[]; .uri == "urn:reuters21578:newid:1")' >/dev/null \
    || e2e_fail "search did not find NEWID 1 (BAHIA COCOA REVIEW)"
headline=$(copydesk show urn:reuters21578:newid:1 --json | jq -r '.headlines[0].value')
e2e_assert_eq "$headline" "BAHIA COCOA REVIEW" "headline of NEWID 1"
# Every stored story is clean: no control characters in headline or body
bad=$(sqlite3 "$E2E_HOME/store.db" "SELECT count(*) FROM stories WHERE headline GLOB '*[$(printf '\001-\010\013\014\016-\037')]*' OR body GLOB '*[$(printf '\001-\010\013\014\016-\037')]*'")
e2e_assert_eq "$bad" 0 "stories with control characters"
# Classified: most stories got subjects from the classifier
classified=$(copydesk show urn:reuters21578:newid:2 --json | jq '[.subjects[]? | select(.creator == "classify")] | length')
[ "$classified" -ge 1 ] || e2e_fail "NEWID 2 has no subject from the classifier"
copydesk down >/dev/null
e2e_log "passed"
