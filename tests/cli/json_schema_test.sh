#!/usr/bin/env bash
# `hwfsim schema --json-schema` (docs/yaml-reference.md, "JSON Schemas for editors"): docs/schema/
# holds what this build writes, and the command refuses to replace different files without
# --force, writing nothing. Usage: json_schema_test.sh /path/to/hwfsim (from the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="$tmp/schema"

expect "schema --json-schema writes both schemas" 0 \
  "Wrote .*model\.schema\.json" -- "$hwfsim" schema --json-schema "$out"
if diff -r "$out" docs/schema >"$tmp/diff"; then
  ok "docs/schema/ is current"
else
  bad "docs/schema/ is not current: run  hwfsim schema --json-schema docs/schema --force  and commit it"
  head -40 "$tmp/diff"
fi
expect "writing the same schemas again changes nothing" 0 \
  "Unchanged: .*scenario\.schema\.json" -- "$hwfsim" schema --json-schema "$out"

echo '{}' >"$out/scenario.schema.json"
cp "$out/model.schema.json" "$tmp/model.before"
expect "a different file is not replaced without --force (exit 3)" 3 \
  "scenario\.schema\.json differs from the schema this build writes; nothing was written; run the command again with --force" \
  -- "$hwfsim" schema --json-schema "$out"
check "and it is left as it was" test "$(cat "$out/scenario.schema.json")" = "{}"
expect "--force replaces it" 0 "Wrote .*scenario\.schema\.json" -- \
  "$hwfsim" schema --json-schema "$out" --force
check "with the schema of this build" cmp -s "$out/scenario.schema.json" docs/schema/scenario.schema.json
expect "--force needs --json-schema (exit 2)" 2 "requires --json-schema" -- "$hwfsim" schema --force
expect "schema --json-schema into a file is refused" 1 "cannot create folder .*model\.before" -- \
  "$hwfsim" schema --json-schema "$tmp/model.before"

finish
