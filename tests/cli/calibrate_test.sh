#!/usr/bin/env bash
# `hwfsim calibrate` as a user runs it (docs/calibration.md): series the model itself generated
# with an exit rate of 0.05 are fitted from 0.06; the files, the calibrated scenario (which runs
# to the fitted values), the hold-out table, report.html (rebuilt by `hwfsim report` to the same
# bytes), the same results on 1 and 2 threads, and exit 1 with a message for a fit that does not
# converge. Usage: calibrate_test.sh /path/to/hwfsim
# (from the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
root=$PWD

# The truth: the good model with AAA's nurses leaving at 0.05 a year; their supply 2021-2030.
cp tests/data/good/model.yaml "$tmp/model.yaml"
printf 'scenario: truth\nmodel: model.yaml\nhorizon: {start: 2020, end: 2030}\nsolver: {method: rk4, step: 1/12}\nset: {countries.AAA.cadres.nurses.exit_rate: 0.05}\n' >"$tmp/truth.yaml"
"$hwfsim" run "$tmp/truth.yaml" -q -o "$tmp/truth"
{
  printf 'observed: truth\nseries:\n  AAA:\n    nurses:\n'
  awk -F, '$3 == "AAA" && $4 == "nurses" && $5 == "supply" && $2 > 2020 { printf "      %s: %s\n", $2, $6 }' "$tmp/truth/indicators.csv"
} >"$tmp/observed.yaml"
cat >"$tmp/fit.yaml" <<'YAML'
scenario: fit
model: model.yaml
horizon: {start: 2020, end: 2030}
solver: {method: rk4, step: 1/12}
calibration:
  observed: observed.yaml
  fit: {from: 2021, to: 2027}
  holdout: {from: 2028, to: 2030}
  seed: 5
  starts: 3
  parameters:
    countries.AAA.cadres.nurses.exit_rate: {min: 0.01, max: 0.2}
YAML

expect "calibrate converges and names its files" 0 \
  "Results in .*fit\.csv, parameters\.csv, correlations\.csv, holdout\.csv, holdout\.md, calibrated\.yaml, run\.json, report\.html" \
  -- "$hwfsim" calibrate "$tmp/fit.yaml" -o "$tmp/out"
estimate=$(awk -F, 'NR == 2 { print $3 }' "$tmp/out/parameters.csv")
check "the estimate is the generating 0.05 ($estimate)" \
  awk -v e="$estimate" 'BEGIN { exit !(e > 0.0499999 && e < 0.0500001) }'
check "fit.csv has the 7 fitted and 3 held-out values" \
  test "$(grep -c ',fit,' "$tmp/out/fit.csv"),$(grep -c ',holdout,' "$tmp/out/fit.csv")" = "7,3"
check "the hold-out's calibrated errors are below 1e-4 percent" \
  awk -F, 'NR > 1 { if ($12 > 1e-4 || $12 < -1e-4) bad = 1 } END { exit bad }' "$tmp/out/holdout.csv"
check "run.json records the fit" grep -q '"fit: 1 parameters to 7 observed values' "$tmp/out/run.json"
check "report.html is written, a calibration's page" grep -q '"kind":"calibrate"' "$tmp/out/report.html"
check "files.sha256 lists the files but report.html" bash -c \
  "grep -q ' fit.csv\$' '$tmp/out/files.sha256' && ! grep -q report.html '$tmp/out/files.sha256'"
cp "$tmp/out/report.html" "$tmp/report-first.html"
expect "hwfsim report rebuilds it" 0 "Report in .*report\.html" -- "$hwfsim" report "$tmp/out"
check "to the same bytes" cmp -s "$tmp/out/report.html" "$tmp/report-first.html"
expect "the calibrated scenario runs" 0 "Scenario fit-calibrated" -- \
  "$hwfsim" run "$tmp/out/calibrated.yaml" -o "$tmp/calibrated-run"
check "and gives the fitted supply in 2030" test \
  "$(awk -F, '$4 == "nurses" && $3 == "AAA" && $5 == "supply" && $2 == 2030 { print $6 }' "$tmp/calibrated-run/indicators.csv")" = \
  "$(awk -F, '$6 == 2030 { print $10 }' "$tmp/out/fit.csv")"
check "hwfsim sources shows the estimate as calibrated" bash -c \
  "'$hwfsim' sources '$tmp/out/calibrated.yaml' | grep 'exit_rate' | grep -q calibrated"
"$hwfsim" calibrate "$tmp/fit.yaml" --threads 1 -q -o "$tmp/t1" && "$hwfsim" calibrate "$tmp/fit.yaml" --threads 2 -q -o "$tmp/t2"
check "the same files with 1 and 2 threads" bash -c \
  "cmp -s '$tmp/t1/fit.csv' '$tmp/t2/fit.csv' && cmp -s '$tmp/t1/parameters.csv' '$tmp/t2/parameters.csv' && cmp -s '$tmp/t1/holdout.csv' '$tmp/t2/holdout.csv'"

sed 's/  starts: 3/  starts: 1\n  max_iterations: 1/' "$tmp/fit.yaml" >"$tmp/short.yaml"
expect "a fit that does not converge says so and exits 1" 1 \
  "the fit did not converge .*cost .*moved the fit least: countries\.AAA\.cadres\.nurses\.exit_rate" \
  -- "$hwfsim" calibrate "$tmp/short.yaml" -o "$tmp/short"
check "and still writes its results and report" test -s "$tmp/short/parameters.csv" -a -s "$tmp/short/report.html"
expect "a scenario without a calibration block is refused" 2 "this scenario has no calibration block" \
  -- "$hwfsim" calibrate "$root/scenarios/two-countries.yaml" -o "$tmp/none"
check "and writes no folder" test ! -e "$tmp/none"

# --emit-uncertainty on a series with +-2% of scatter: uncertainty.yaml, which hwfsim mc runs.
awk '/^      [0-9]+:/ { split($0, a, ": "); y = a[1] + 0; printf "%s: %.10g\n", a[1], a[2] * (1 + 0.02 * ((y * 7) % 5 - 2) / 2); next } { print }' \
  "$tmp/observed.yaml" >"$tmp/noisy.yaml"
sed 's/observed: observed.yaml/observed: noisy.yaml/' "$tmp/fit.yaml" >"$tmp/noisy-fit.yaml"
expect "calibrate --emit-uncertainty writes uncertainty.yaml" 0 "calibrated\.yaml, uncertainty\.yaml, run\.json" -- \
  "$hwfsim" calibrate "$tmp/noisy-fit.yaml" --emit-uncertainty -o "$tmp/emit"
check "whose group is the estimate and its standard error" bash -c \
  "grep -q \"countries.AAA.cadres.nurses.exit_rate: {mean: $(awk -F, 'NR == 2 { print $3 }' "$tmp/emit/parameters.csv"), sd: $(awk -F, 'NR == 2 { print $7 }' "$tmp/emit/parameters.csv"), min: 0.01, max: 0.2}\" '$tmp/emit/uncertainty.yaml'"
expect "and hwfsim mc runs it" 0 "" -- "$hwfsim" mc "$tmp/emit/uncertainty.yaml" -q -o "$tmp/emit-mc"
check "with 1000 draws of the exit rate" test "$(wc -l <"$tmp/emit-mc/samples.csv")" = 1001
# Exit and retirement rates together: supply fixes only their sum, so neither has a standard error.
sed 's/^    countries.AAA.cadres.nurses.exit_rate: .*/&\n    countries.AAA.cadres.nurses.retirement_rate: {min: 0.01, max: 0.2}/' \
  "$tmp/noisy-fit.yaml" >"$tmp/unidentified.yaml"
expect "without a standard error, it says so and writes none" 0 "no estimate has a standard error above 0" -- \
  "$hwfsim" calibrate "$tmp/unidentified.yaml" --emit-uncertainty -o "$tmp/emit-none"
check "(no uncertainty.yaml)" test ! -e "$tmp/emit-none/uncertainty.yaml"

# --published and --compare go together; refused before anything is fitted or written.
expect "--published without --compare is refused" 2 "--published and --compare go together" -- \
  "$hwfsim" calibrate "$tmp/fit.yaml" -o "$tmp/pub-alone" --published "$root/models/world/published.yaml"
check "(and wrote nothing)" test ! -e "$tmp/pub-alone"
expect "--compare without --published is refused" 2 "--published and --compare go together" -- \
  "$hwfsim" calibrate "$tmp/fit.yaml" -o "$tmp/pub-alone" --compare "$root/scenarios/flagship.yaml"
expect "a bad projections file is bad input, located" 2 "published_indicator_typo.yaml:10:16: error: projections\[0\].indicator" -- \
  "$hwfsim" calibrate "$tmp/fit.yaml" -o "$tmp/pub-bad" \
  --published "$root/tests/data/bad/published_indicator_typo.yaml" --compare "$root/tests/data/good/scenario.yaml"
check "(and wrote nothing)" test ! -e "$tmp/pub-bad"
expect "a projection of a scenario not compared is refused before the fit" 2 "projections\[8\].scenario: 'world-uk-training-expansion' is not a compared scenario" -- \
  "$hwfsim" calibrate "$tmp/fit.yaml" -o "$tmp/pub-one" \
  --published "$root/models/world/published.yaml" --compare "$root/scenarios/flagship.yaml"
check "(and wrote nothing)" test ! -e "$tmp/pub-one"

# The hold-out page: in the results folder and where --report says; docs/validation.md is the
# shipped calibration's, with the flagship set against the published projections (regenerated
# by the command it names).
(cd "$root" && "$hwfsim" calibrate scenarios/validation/calibrate-2013.yaml -o "$tmp/shipped" \
  --published models/world/published.yaml \
  --compare scenarios/flagship.yaml scenarios/world-uk-training-expansion.yaml \
  --report "$tmp/page/validation.md" >"$tmp/shipped.out" 2>/dev/null)
check "it says how many projections the baseline agrees with" \
  grep -qx "published projections: the model agrees with [0-9] of 9 (in holdout.md)" "$tmp/shipped.out"
check "--report wrote the page of the results folder" cmp -s "$tmp/shipped/holdout.md" "$tmp/page/validation.md"
check "which judges the four-year goal" grep -q "^| series where the model beats persistence | at least 75% |" "$tmp/page/validation.md"
check "docs/validation.md is the shipped calibration's hold-out page" bash -c \
  "diff <(grep -v '^hwfsim calibrate' '$tmp/shipped/holdout.md') <(grep -v '^hwfsim calibrate' '$root/docs/validation.md')"
check "and names the command that makes it" grep -qx "hwfsim calibrate scenarios/validation/calibrate-2013.yaml --published models/world/published.yaml --compare scenarios/flagship.yaml scenarios/world-uk-training-expansion.yaml --report docs/validation.md" "$root/docs/validation.md"
check "projections.csv has a row per projection, the flagship's first" bash -c \
  "test \$(grep -c ',relative,\|,persons,' '$tmp/shipped/projections.csv') -eq 9 && sed -n 2p '$tmp/shipped/projections.csv' | grep -q '^boniol-2022-stock,flagship,supply,17,2020,2030,'"
check "the page sets them out, with the verdict of each" grep -q "^| NHS Long Term Workforce Plan: nurses, 2022-2037 (.*) | agrees |\$" "$tmp/page/validation.md"

# Ctrl-C during a fit (the 2013 back-cast's, a few seconds): exit 1, and no folder.
"$hwfsim" calibrate "$root/scenarios/validation/calibrate-2013.yaml" -o "$tmp/int" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 1 300); do grep -q "starts begun" "$tmp/int.err" 2>/dev/null && break; sleep 0.02; done
kill -INT $pid
wait $pid
status=$?
check "Ctrl-C stops the fit with exit 1 ($status)" test "$status" = 1
check "and says nothing was written" grep -q "the fit was interrupted: nothing was written" "$tmp/int.err"
check "and leaves no folder" test ! -e "$tmp/int"

finish
