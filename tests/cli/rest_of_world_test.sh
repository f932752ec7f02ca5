#!/usr/bin/env bash
# A dataset with a rest-of-world destination from the command line (docs/model.md, 15.2): the run
# writes its corridors like any other, gives it no rows and no line in the console table, and
# its migrant rates are parameters. Usage: rest_of_world_test.sh /path/to/hwfsim (from the source
# root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
row=tests/data/good/scenario_rest_of_world.yaml

expect "validate accepts a rest-of-world dataset" 0 "valid" -- "$hwfsim" validate $row
expect "its migrants' own rates are parameters" 0 \
  "corridors\.AAA-ROW\.nurses\.retirement_rate +0\.03 +1/year" -- "$hwfsim" params $row

out="$tmp/row"
expect "run writes results with a rest-of-world corridor" 0 \
  "Results in .*indicators\.csv, corridors\.csv, run\.json, report\.html" -- "$hwfsim" run $row -o "$out"
check "corridors.csv reports the corridor to it" \
  grep -q "^rest_of_world,2030,AAA,ROW,nurses,migrant_stock," "$out/corridors.csv"
check "indicators.csv has no row for it" bash -c "! grep -q ',ROW,' '$out/indicators.csv'"
check "indicators.csv has the listed countries" grep -q "^rest_of_world,2030,BBB,all,sdg_density," "$out/indicators.csv"
check "run.json marks it" grep -q '"rest_of_world": true' "$out/run.json"
check "report.html is written" test -s "$out/report.html"
expect "the console table lists only the listed countries" 0 "^BBB " -- \
  "$hwfsim" run $row -o "$out" --force
check "the console table has no line for it" bash -c "! '$hwfsim' run $row -o '$out' --force | grep -q '^ROW'"

finish
