#!/usr/bin/env bash
# results.xlsx (`--xlsx`) as planners open it, read with Python's openpyxl: sheets, values
# against the CSVs, number formats, key figures and the charts' ranges (workbook_check.py); a
# workbook that cannot be made is an error, and then nothing is written. Usage (from the source root, as
# ctest): workbook_test.sh /path/to/hwfsim /path/to/python3
set -u
hwfsim=$(realpath "$1")
python=$2
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

expect "run --xlsx names results.xlsx among its files" 0 "Results in .*results\.xlsx" -- \
  "$hwfsim" run scenarios/flagship.yaml --xlsx -o "$tmp/run"
if out=$("$python" "$(dirname "${BASH_SOURCE[0]}")/workbook_check.py" "$tmp/run" 2>&1); then
  ok "the flagship run's results.xlsx read with openpyxl matches its CSVs"
else
  bad "the flagship run's results.xlsx read with openpyxl matches its CSVs"
fi
echo "$out" | grep -v '^ok ' | head -30
echo "$out" | grep -c '^ok ' | sed 's/^/  python checks passed: /'
check "files.sha256 lists results.xlsx" grep -q ' results.xlsx$' "$tmp/run/files.sha256"
expect "run without --xlsx writes none" 0 "^$" -- \
  "$hwfsim" run scenarios/two-countries.yaml -q -o "$tmp/plain"
check "(none there)" test ! -e "$tmp/plain/results.xlsx"
expect "a workbook that cannot be made is an error naming it" 1 \
  "error: results.xlsx: cannot create a scratch file in the temporary folder .*missing" -- \
  env TMPDIR="$tmp/missing" "$hwfsim" run scenarios/two-countries.yaml --xlsx -o "$tmp/failed"
check "and nothing is written" test ! -e "$tmp/failed"
finish
