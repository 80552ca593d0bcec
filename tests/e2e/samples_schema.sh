#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every file of every sample folder in ../shared/samples goes through
# `copydesk parse --classify` (ingest, normalize, classify in-process) without
# a crash, and every story printed validates against the IPTC ninjs 2.2 JSON
# Schema (strict output) and against docs/ninjs-extensions.schema.json (--full).
source "$(dirname "$0")/lib.sh"
samples=$SHARED/samples
[ -f "$samples/_schemas/ninjs-schema_2.2.json" ] || e2e_fail "no ninjs schema in $samples/_schemas"
python3 -c 'import jsonschema' 2>/dev/null || e2e_fail "python3-jsonschema is needed (scripts/setup --test installs it)"

validate () {   # validate SCHEMA FILE [EXTRA_SCHEMA]
    python3 - "$@" <<'PY'
import json, sys, jsonschema
from jsonschema.validators import validator_for
schema = json.load (open (sys.argv [1]))
store = {}
iptc = json.load (open (sys.argv [3])) if len (sys.argv) > 3 else None
if iptc:
    store [iptc.get ("$id", "")] = iptc
try:
    from referencing import Registry, Resource
    registry = Registry ().with_resources ([(k, Resource.from_contents (v)) for k, v in store.items ()])
    validator = validator_for (schema) (schema, registry=registry)
except ImportError:
    resolver = jsonschema.RefResolver.from_schema (schema, store=store)
    validator = validator_for (schema) (schema, resolver=resolver)
bad = 0
count = 0
for n, line in enumerate (open (sys.argv [2]), 1):
    count += 1
    for error in validator.iter_errors (json.loads (line)):
        print ("story %d: %s at %s" % (n, error.message [:300], list (error.absolute_path)), file=sys.stderr)
        bad += 1
print (count)
sys.exit (1 if bad else 0)
PY
}

total=0
for dir in "$samples"/*/; do
    folder=$(basename "$dir")
    [ "$folder" = _schemas ] && continue
    for file in "$dir"*; do
        [ "$(basename "$file")" = SOURCES.md ] && continue
        rc=0
        copydesk parse --classify "$file" >"$E2E_HOME/strict.jsonl" 2>"$E2E_HOME/err.txt" || rc=$?
        [ $rc -le 1 ] || { cat "$E2E_HOME/err.txt" >&2; e2e_fail "$folder/$(basename "$file"): parse exited $rc"; }
        copydesk parse --classify --full "$file" >"$E2E_HOME/full.jsonl" 2>/dev/null || true
        n=$(validate "$samples/_schemas/ninjs-schema_2.2.json" "$E2E_HOME/strict.jsonl") \
            || e2e_fail "$folder/$(basename "$file"): strict output does not validate against ninjs 2.2"
        validate "$SRC/docs/ninjs-extensions.schema.json" "$E2E_HOME/full.jsonl" \
                 "$samples/_schemas/ninjs-schema_2.2.json" >/dev/null \
            || e2e_fail "$folder/$(basename "$file"): --full output does not validate against the extension schema"
        total=$((total + n))
    done
    e2e_log "$folder: every file parsed and validated"
done
[ "$total" -ge 300 ] || e2e_fail "only $total stories from all samples"
e2e_log "passed: $total stories validated"
