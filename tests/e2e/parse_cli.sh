#!/bin/bash
# SPDX-License-Identifier: MIT
#  parse_cli - `copydesk parse` as a user debugging a feed runs it
#
#  1. Every sample folder of the text formats: exit 0, one valid JSON story
#     a line, the exact story counts, and strict output that validates
#     against the IPTC ninjs 2.2 JSON Schema (when python3-jsonschema is
#     installed; otherwise only the top-level keys are checked).
#  2. A Reuters file: 1,000 stories with unique uris.
#  3. Errors name the file, the item and the problem; the exit code says
#     whether anything failed; good files in the same run still print.
#  4. --full, --raw, --format, --classify, stdin, JSON Lines read back.

source "$(dirname "$0")/lib.sh"
samples=$SHARED/samples
out=$E2E_HOME/out.jsonl
err=$E2E_HOME/err.txt

#  The number of lines of a file
lines () { wc -l <"$1" | tr -d ' '; }

#  1. Sample folders
for spec in iptc7901:5 anpa1312:7 zczc:7 ninjs:16 plaintext:11; do
    folder=${spec%%:*}
    want=${spec##*:}
    copydesk parse "$samples/$folder" >"$out" 2>"$err" \
        || { cat "$err" >&2; e2e_fail "parse of $folder exited non-zero"; }
    [ "$(lines "$out")" = "$want" ] || e2e_fail "$folder: $(lines "$out") stories, want $want"
    jq -se 'all (has("uri") and (.headlines | length > 0))' "$out" >/dev/null \
        || e2e_fail "$folder: a story without uri or headline"
    #  Strict mode writes ninjs 2.2 properties only
    allowed=$(jq -r '."$defs".ninjsType.properties | keys | join("|")' "$samples/_schemas/ninjs-schema_2.2.json")
    extra=$(jq -r 'keys[]' "$out" | sort -u | grep -v -x -E "$allowed" || true)
    [ -z "$extra" ] || e2e_fail "$folder: strict output has non-ninjs keys: $extra"
    e2e_log "$folder: $want stories"
done
if python3 -c 'import jsonschema' 2>/dev/null; then
    for folder in iptc7901 anpa1312 zczc ninjs plaintext; do
        copydesk parse "$samples/$folder" >"$out" 2>/dev/null
        python3 - "$samples/_schemas/ninjs-schema_2.2.json" "$out" <<'EOF' || e2e_fail "$folder: output does not validate against ninjs 2.2"
import json, sys, jsonschema
schema = json.load (open (sys.argv [1]))
validator = jsonschema.Draft202012Validator (schema) if "2020-12" in schema.get ("$schema", "") \
            else jsonschema.validators.validator_for (schema) (schema)
bad = 0
for n, line in enumerate (open (sys.argv [2]), 1):
    for error in validator.iter_errors (json.loads (line)):
        print ("story %d: %s at %s" % (n, error.message [:200], list (error.path)), file=sys.stderr)
        bad += 1
sys.exit (1 if bad else 0)
EOF
    done
    e2e_log "strict output validates against ninjs-schema_2.2.json"
else
    e2e_log "python3-jsonschema not installed: schema validation skipped (keys checked)"
fi

#  2. Reuters
copydesk parse "$SHARED/data/reuters21578/reut2-020.sgm" >"$out" 2>"$err" || e2e_fail "Reuters parse failed"
[ "$(lines "$out")" = 1000 ] || e2e_fail "reut2-020.sgm: $(lines "$out") stories"
[ "$(jq -r .uri "$out" | sort -u | wc -l)" = 1000 ] || e2e_fail "Reuters uris are not unique"
jq -se 'map (select (.uri == "urn:reuters21578:newid:20001")) | length == 1 and (.[0].headlines[0].value | length > 0)' \
    "$out" >/dev/null \
    || e2e_fail "NEWID 20001 missing"

#  (jq 1.6: -e with several inputs looks at the last one only, so slurp)

#  3. Errors: each names the file (and the item), the run goes on, exit 1
printf '<html><body>Moved</body></html>' >"$E2E_HOME/page.rss"
printf '{\n  "uri": "x:1",\n  "headline": "no comma"\n  "body_text": "b"\n}\n' >"$E2E_HOME/bad.json"
printf '\x01eca001 4 i 10\r\n\x02Headline =\r\nText.\r\n\x03\x04\x01\x7f\x04' >"$E2E_HOME/two.txt"
set +e
copydesk parse "$E2E_HOME/page.rss" "$E2E_HOME/bad.json" "$samples/zczc/sdaap__bob_am_headlines.tst" \
    "$E2E_HOME/two.txt" >"$out" 2>"$err"
rc=$?
set -e
[ $rc = 1 ] || e2e_fail "a run with bad files exited $rc, want 1"
grep -q "page.rss: not-a-feed: the document is an HTML page" "$err" || e2e_fail "no HTML error: $(cat "$err")"
grep -q "bad.json: JSON not well-formed at line 4" "$err" || e2e_fail "no JSON error with its line: $(cat "$err")"
grep -q "two.txt#1: bad item: iptc7901: message" "$err" || e2e_fail "no bad-item error with its index: $(cat "$err")"
[ "$(lines "$out")" = 2 ] || e2e_fail "good documents in a bad run printed $(lines "$out") stories, want 2"
set +e
printf '' | copydesk parse - >"$out" 2>"$err"; rc=$?
copydesk parse --format nope "$E2E_HOME/two.txt" >/dev/null 2>&1; rc2=$?
set -e
[ $rc = 1 ] && grep -q "(stdin): empty-input" "$err" || e2e_fail "empty stdin: rc=$rc $(cat "$err")"
[ $rc2 = 2 ] || e2e_fail "unknown format exited $rc2, want 2"

#  4. Options
copydesk parse --full "$samples/anpa1312/sdcore__ap_anpa-1.tst" >"$out"
jq -e '.ingest.format == "anpa1312" and .priority == 4 and (.signals | index("writethru"))' "$out" >/dev/null \
    || e2e_fail "--full lacks the extensions"
copydesk parse --raw --full "$samples/iptc7901/sdcore__IPTC7901.txt" >"$out"
jq -e '.ingest.rawdates.versioncreated == "131137 GMT Nov 13" and ((.uri // "") == "")' "$out" >/dev/null \
    || e2e_fail "--raw is not the parser's output"
copydesk parse --format plain-text "$samples/ninjs/ninjs__001_simple_example.json" >"$out"
[ "$(lines "$out")" = 1 ] || e2e_fail "--format plain-text on JSON"
#  JSON Lines written by parse read back by parse
copydesk parse --full "$samples/zczc" >"$E2E_HOME/first.jsonl"
copydesk parse --full - <"$E2E_HOME/first.jsonl" >"$E2E_HOME/second.jsonl"
diff <(jq -r .uri "$E2E_HOME/first.jsonl") <(jq -r .uri "$E2E_HOME/second.jsonl") >/dev/null \
    || e2e_fail "parse output read back by parse changed the uris"
diff <(jq -c .headlines "$E2E_HOME/first.jsonl") <(jq -c .headlines "$E2E_HOME/second.jsonl") >/dev/null \
    || e2e_fail "parse output read back by parse changed the headlines"
copydesk parse --classify "$SHARED/data/reuters21578/reut2-021.sgm" >"$out"
jq -se 'map (select (.uri == "urn:reuters21578:newid:21002")) | .[0].places | map (select (.literal == "iso3166:IR")) | length == 1' \
    "$out" >/dev/null || e2e_fail "--classify gave no places"
jq -se 'map (.subjects // [] | map (select (.creator == "classify"))) | add | length > 100' "$out" >/dev/null \
    || e2e_fail "--classify gave no subjects"
e2e_log "ok"
