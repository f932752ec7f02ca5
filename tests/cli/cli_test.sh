#!/usr/bin/env bash
# Command-line tests: what a user types, the exit code and messages they get, the files written.
# Usage: cli_test.sh /path/to/hwfsim   (run from the source root, as ctest does)
set -u
hwfsim=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect NAME EXPECTED_EXIT REGEX -- command...   (REGEX is matched against stdout+stderr)
expect() {
  local name=$1 code=$2 regex=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $code ]]; then
    echo "FAIL $name: exit $rc, expected $code"; echo "$out" | head -20; failed=$((failed + 1)); return
  fi
  if ! grep -Eq -- "$regex" <<<"$out"; then
    echo "FAIL $name: output does not match /$regex/"; echo "$out" | head -20; failed=$((failed + 1)); return
  fi
  echo "ok   $name"; passed=$((passed + 1))
}

check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

good=tests/data/good/scenario.yaml

expect "help lists the commands" 0 "run.*Run a scenario" -- "$hwfsim" --help
expect "run --help lists --force" 0 "--force" -- "$hwfsim" run --help
expect "no command is a usage error" 2 "A subcommand is required" -- "$hwfsim"
expect "unknown command is a usage error" 2 "" -- "$hwfsim" fly
expect "version names the commit" 0 "^hwfsim [0-9]+\.[0-9]+\.[0-9]+ \(" -- "$hwfsim" --version

expect "validate accepts a good scenario" 0 "valid\. Model analytic.*2 countries" -- "$hwfsim" validate $good
printf 'scenario: s\nmodel: %s\nhorizon: {end: 2030}\n' "$PWD/tests/data/bad/model_unknown_key.yaml" > "$tmp/s.yaml"
expect "validate rejects a bad model with exit 2 and its position" 2 \
  "model_unknown_key.yaml:18:9: error: countries.AAA.cadres.nurses.exit_rat: unknown key" -- \
  "$hwfsim" validate "$tmp/s.yaml"
expect "a missing model file is named with the scenario's line" 2 \
  "scenario_missing_model_file.yaml:5:8: error: model: the model file .*nothing.yaml' does not exist" -- \
  "$hwfsim" validate tests/data/bad/scenario_missing_model_file.yaml
expect "a bad model gives file:line:col and a suggestion" 2 "did you mean 'rk4'" -- \
  "$hwfsim" validate tests/data/bad/scenario_unknown_method.yaml
expect "a missing scenario file is exit 2" 2 "nothing.yaml: error: no such file" -- \
  "$hwfsim" validate "$tmp/nothing.yaml"

expect "params lists paths with units and sources" 0 \
  "countries\.AAA\.cadres\.nurses\.exit_rate +0\.06 +1/year" -- "$hwfsim" params $good
expect "params --csv has a header" 0 "^path,value,unit,range,source,flag,note,set_at" -- \
  "$hwfsim" params --csv $good
expect "params --grep filters" 0 "corridors\.AAA-BBB\.nurses\.return_rate" -- \
  "$hwfsim" params --grep return_rate $good

out="$tmp/results"
expect "run writes results and a summary" 0 "Results in .*indicators\.csv, corridors\.csv, run\.json" -- \
  "$hwfsim" run $good -o "$out"
check "indicators.csv has the tidy header" grep -q "^scenario,year,country,cadre,indicator,value$" "$out/indicators.csv"
check "corridors.csv has the tidy header" grep -q "^scenario,year,origin,destination,cadre,indicator,value$" "$out/corridors.csv"
check "indicators.csv has sdg_density for cadre all" grep -q "^good,2030,BBB,all,sdg_density," "$out/indicators.csv"
check "run.json records the solver and inputs" grep -q '"method": "rk4"' "$out/run.json"
check "run.json records input hashes" grep -Eq '"sha256": "[0-9a-f]{64}"' "$out/run.json"
check "no temporary files are left" test "$(ls -A "$out" | wc -l)" -eq 3

before=$(sha256sum "$out/indicators.csv")
touch -d '2000-01-01' "$out/indicators.csv"
expect "a second run into the same folder is refused" 3 "already holds results; nothing was written" -- \
  "$hwfsim" run $good -o "$out"
check "the refused run left the old file alone" test "$(stat -c %Y "$out/indicators.csv")" = "$(date -d '2000-01-01' +%s)"
expect "--force writes anyway" 0 "Results in" -- "$hwfsim" run $good -o "$out" --force
check "--force gives identical results" test "$before" = "$(sha256sum "$out/indicators.csv")"
expect "--quiet prints nothing" 0 "^$" -- "$hwfsim" run $good -o "$tmp/quiet" --quiet
check "default folder is results/<scenario>" bash -c "cd '$tmp' && mkdir -p s && cp -r '$PWD/tests/data/good' s/ && '$hwfsim' run s/good/scenario.yaml -q && test -s results/good/indicators.csv"
expect "bad input writes nothing" 2 "error" -- "$hwfsim" run tests/data/bad/scenario_horizon_backwards.yaml -o "$tmp/bad"
check "no folder for a bad input" test ! -e "$tmp/bad"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
