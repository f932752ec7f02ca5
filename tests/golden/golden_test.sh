#!/usr/bin/env bash
# The golden whole-run test (docs/architecture.md, "The golden whole-run test"): runs the README's
# flagship comparison and checks its tables against tests/golden/flagship/.
#   tests/golden/golden_test.sh HWFSIM HWF_GOLDEN            check (CTest runs this)
#   tests/golden/golden_test.sh HWFSIM HWF_GOLDEN --update   regenerate the pins after an intended
#                                                            change, then commit them
# Run from the repository's root.
set -u
hwfsim=$1
checker=$2
mode=check
[[ ${3:-} == --update ]] && mode=update
pins=tests/golden/flagship
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$hwfsim" compare scenarios/flagship.yaml scenarios/world-compensation.yaml \
  scenarios/world-who-code-universal.yaml scenarios/world-malawi-style-top-up.yaml \
  -o "$tmp/flagship" -q || { echo "golden: hwfsim compare failed"; exit 1; }
"$checker" "$mode" "$tmp/flagship" "$pins" || exit 1
[[ $mode == update ]] && exit 0

# The checker itself must see one changed cell: in a pinned cell, named with both values; in a
# cell outside the pinned sample, by its table and indicator's checksum.
status=0
change_cell() {  # change_cell ROW_PREFIX: appends a digit to that row's value in a fresh copy
  rm -rf "$tmp/changed" && cp -r "$tmp/flagship" "$tmp/changed"
  sed -i "s/^$1[^,]*\$/&1/" "$tmp/changed/indicators.csv"
  "$checker" check "$tmp/changed" "$pins" 2>&1
}
row='world-compensation,2045,NGA,all,supply,'
pinned=$(grep "^indicators.csv,$row" "$pins/values.csv" | cut -d, -f7)
out=$(change_cell "$row") && { echo "FAIL golden: a changed pinned cell passed"; status=1; }
want="first differing pinned cell: indicators.csv scenario=world-compensation year=2045 country=NGA cadre=all indicator=supply, column value: pinned $pinned, now ${pinned}1"
grep -qF -- "$want" <<<"$out" || { echo "FAIL golden: a changed pinned cell is not named"; echo "$out"; status=1; }
out=$(change_cell 'flagship,2031,KEN,nurses,emigration,') &&
  { echo "FAIL golden: a changed cell outside the sample passed"; status=1; }
grep -q "indicators.csv emigration: differs" <<<"$out" && grep -q "no pinned cell" <<<"$out" ||
  { echo "FAIL golden: a changed cell outside the sample is not reported"; echo "$out"; status=1; }
[[ $status -eq 0 ]] && echo "golden: the checker names a changed cell (checked on two changed copies)"
exit $status
