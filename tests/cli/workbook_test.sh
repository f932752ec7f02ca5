#!/usr/bin/env bash
# results.xlsx (`--xlsx` of run, compare and mc) as planners open it, read with Python's
# openpyxl: sheets, values against the CSVs, number formats, key figures, chart data and the
# charts' ranges and dashes (workbook_check.py); the same results give the same bytes, whatever
# the thread count; a workbook that cannot be made is an error,
# and then nothing is written. Usage (from the source root, as ctest):
# workbook_test.sh /path/to/hwfsim /path/to/python3
set -u
hwfsim=$(realpath "$1")
python=$2
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

checker="$(dirname "${BASH_SOURCE[0]}")/workbook_check.py"
# Reads a folder's results.xlsx with openpyxl against its CSV files (workbook_check.py).
read_back() {
  local what=$1 out
  shift
  if out=$("$python" "$checker" "$@" 2>&1); then ok "$what"; else bad "$what"; fi
  echo "$out" | grep -v '^ok ' | head -30
  echo "$out" | grep -c '^ok ' | sed 's/^/  python checks passed: /'
}

expect "run --xlsx names results.xlsx among its files" 0 "Results in .*results\.xlsx" -- \
  "$hwfsim" run scenarios/flagship.yaml --xlsx -o "$tmp/run"
read_back "the flagship run's results.xlsx read with openpyxl matches its CSVs" "$tmp/run"
expect "compare --xlsx names results.xlsx among its files" 0 "results\.xlsx, run\.json" -- \
  "$hwfsim" compare scenarios/flagship.yaml scenarios/world-compensation.yaml \
  scenarios/world-who-code-universal.yaml --countries NGA,GHA,GBR --years 2030,2045 --xlsx \
  -o "$tmp/compare"
read_back "a comparison's results.xlsx (3 scenarios, 3 countries, 2 years) matches its CSVs" \
  "$tmp/compare"
expect "compare --cadre --xlsx" 0 "nurses in 2045" -- "$hwfsim" compare \
  scenarios/two-countries.yaml scenarios/two-countries-policies.yaml --cadre nurses --xlsx \
  -o "$tmp/cadre"
read_back "a comparison's results.xlsx with --cadre shows that cadre's figures" "$tmp/cadre" nurses
expect "mc --compare --xlsx prints the key figures of the workbook" 0 \
  "P\(SDG density ≥ 44.5\)" -- "$hwfsim" mc --compare \
  scenarios/two-countries-baseline-uncertainty.yaml scenarios/two-countries-uncertainty.yaml \
  --samples 64 --threads 2 --xlsx -o "$tmp/mc"
read_back "an ensemble's results.xlsx (quantile bands of 2 scenarios) matches its CSVs" "$tmp/mc"
sleep 2 # the zip entries' times have a resolution of 2 seconds
expect "the same ensemble on one thread, 2 seconds later" 0 "" -- "$hwfsim" mc --compare \
  scenarios/two-countries-baseline-uncertainty.yaml scenarios/two-countries-uncertainty.yaml \
  --samples 64 --threads 1 --xlsx -q -o "$tmp/mc1"
check "gives a byte-identical results.xlsx (no clock in the workbook)" \
  cmp "$tmp/mc/results.xlsx" "$tmp/mc1/results.xlsx"
# The checker can fail: a CSV value changed after the workbook was written is caught.
cp -r "$tmp/run" "$tmp/changed"
sed -i '2s/,[^,]*$/,12345.5/' "$tmp/changed/indicators.csv"
if "$python" "$checker" "$tmp/changed" >"$tmp/changed.txt" 2>&1; then
  bad "the checker fails on a workbook that differs from its CSV by one value"
else
  ok "the checker fails on a workbook that differs from its CSV by one value"
fi
grep '^FAIL' "$tmp/changed.txt" | head -3
check "files.sha256 lists results.xlsx" grep -q ' results.xlsx$' "$tmp/run/files.sha256"
expect "run without --xlsx writes none" 0 "^$" -- \
  "$hwfsim" run scenarios/two-countries.yaml -q -o "$tmp/plain"
check "(none there)" test ! -e "$tmp/plain/results.xlsx"
expect "a workbook that cannot be made is an error naming it" 1 \
  "error: results.xlsx: cannot create a scratch file in the temporary folder .*missing" -- \
  env TMPDIR="$tmp/missing" "$hwfsim" run scenarios/two-countries.yaml --xlsx -o "$tmp/failed"
check "and nothing is written" test ! -e "$tmp/failed"
finish
