#!/usr/bin/env bash
# Command-line tests: what a user types, the exit code and messages they get, the files written.
# Usage: cli_test.sh /path/to/hwfsim   (run from the source root, as ctest does)
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

good=tests/data/good/scenario.yaml

expect "help lists the commands" 0 "run.*Run a scenario" -- "$hwfsim" --help
expect "run --help lists --force" 0 "--force" -- "$hwfsim" run --help
expect "no command is a usage error" 2 "A subcommand is required" -- "$hwfsim"
expect "unknown command is a usage error" 2 "^hwfsim: error: unknown command 'fly'" -- "$hwfsim" fly
expect "a misspelt command gets the closest" 2 "did you mean 'run'?" -- "$hwfsim" rnu x.yaml
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
expect "run writes results and a summary" 0 "Results in .*indicators\.csv, corridors\.csv, run\.json, report\.html" -- \
  "$hwfsim" run $good -o "$out"
check "indicators.csv has the tidy header" grep -q "^scenario,year,country,cadre,indicator,value$" "$out/indicators.csv"
check "corridors.csv has the tidy header" grep -q "^scenario,year,origin,destination,cadre,indicator,value$" "$out/corridors.csv"
check "indicators.csv has sdg_density for cadre all" grep -q "^good,2030,BBB,all,sdg_density," "$out/indicators.csv"
check "run.json records the solver and inputs" grep -q '"method": "rk4"' "$out/run.json"
check "run.json records input hashes" grep -Eq '"sha256": "[0-9a-f]{64}"' "$out/run.json"
check "no temporary files are left (the results, report.html and files.sha256)" test "$(ls -A "$out" | wc -l)" -eq 5
check "run writes report.html with the data inside" grep -q '<script type="application/json" id="hwf-data">{"format":1,"kind":"run"' "$out/report.html"
check "run.json lists report.html" grep -q '"report.html"' "$out/run.json"

# report: rebuilds report.html from a results folder
cp "$out/report.html" "$tmp/report-first.html"
expect "report rebuilds report.html" 0 "^Report in .*/results/report\.html: [0-9.]+ MB$" -- "$hwfsim" report "$out"
check "the rebuilt report is byte-identical" cmp -s "$out/report.html" "$tmp/report-first.html"
mkdir -p "$tmp/notes" && echo "my notes" > "$tmp/notes/notes.txt"
expect "report on a folder without run.json is bad input" 2 \
  "notes: error: not a results folder: it has no run.json" -- "$hwfsim" report "$tmp/notes"
check "report wrote nothing into a folder that is not a results folder" test ! -e "$tmp/notes/report.html"
expect "report on a missing folder is bad input" 2 "nowhere: error: no such folder" -- "$hwfsim" report "$tmp/nowhere"
expect "report on a file is bad input" 2 "notes.txt: error: not a folder" -- "$hwfsim" report "$tmp/notes/notes.txt"
expect "report needs a folder" 2 "folder is required" -- "$hwfsim" report

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

# show: the resolved scenario, each value with its origin
expect "show prints the resolved scenario with origins" 0 \
  "quota: 1000 +# scenarios/two-countries-policies.yaml:[0-9]+" -- "$hwfsim" show scenarios/two-countries-policies.yaml
expect "show names the parent for inherited values" 0 "end: 2045 +# scenarios/two-countries.yaml:[0-9]+" -- \
  "$hwfsim" show scenarios/two-countries-policies.yaml

# compare: baseline first, then the others
cmp="$tmp/cmp"
expect "compare writes every table" 0 "Compared 1 scenario against two-countries-baseline" -- \
  "$hwfsim" compare scenarios/two-countries.yaml scenarios/two-countries-policies.yaml -o "$cmp" --threads 2
for f in indicators.csv corridors.csv deltas.csv corridor_deltas.csv summary.csv corridor_summary.csv run.json report.html; do
  check "compare wrote $f" test -s "$cmp/$f"
done
check "deltas.csv has baseline, value and delta columns" \
  grep -q "^scenario,year,country,cadre,indicator,baseline,value,delta$" "$cmp/deltas.csv"
check "the baseline's deltas against itself are all zero" \
  bash -c "grep '^two-countries-baseline,' '$cmp/deltas.csv' | awk -F, '\$NF != 0 {bad=1} END {exit bad}'"
check "the policy scenario has non-zero deltas" \
  bash -c "grep -q '^two-countries-policies,2045,GHA,all,supply,[0-9.e+]*,[0-9.e+]*,[1-9]' '$cmp/deltas.csv'"
check "summary.csv holds cost-effectiveness at the default years" \
  bash -c "grep -Eq '^two-countries-policies,(2025|2030|2045),GHA,cost_per_additional_worker_year,' '$cmp/summary.csv'"
check "corridor_summary.csv compares cumulative emigration" \
  grep -q "^two-countries-policies,2045,GHA,GBR,nurses,cumulative_emigration," "$cmp/corridor_summary.csv"
check "run.json records the comparison" grep -q '"discount_rate": 0.03' "$cmp/run.json"
expect "compare refuses a non-empty folder" 3 "already holds results" -- \
  "$hwfsim" compare scenarios/two-countries.yaml scenarios/two-countries-policies.yaml -o "$cmp"
expect "compare --years and --discount-rate" 0 "discount rate 0.05" -- \
  "$hwfsim" compare scenarios/two-countries.yaml scenarios/two-countries-policies.yaml -o "$cmp" --force \
  --years 2030,2040 --discount-rate 0.05
check "summary uses the chosen years" bash -c "! grep -q ',2045,' '$cmp/summary.csv' && grep -q ',2040,' '$cmp/summary.csv'"
expect "compare rejects a year outside the horizon" 2 "'2050' is not a year after 2020 and up to 2045" -- \
  "$hwfsim" compare scenarios/two-countries.yaml scenarios/two-countries-policies.yaml -o "$tmp/c2" --years 2050
# compare --published: the projections page in the folder and where --published-report says;
# its table and explanations are the section of docs/validation.md (calibrate_test.sh checks
# that the section is regenerated by the command the page names).
expect "--published-report needs --published" 2 "--published-report writes the page of published projections, which needs --published" -- \
  "$hwfsim" compare scenarios/flagship.yaml scenarios/world-uk-training-expansion.yaml -o "$tmp/pub0" --published-report "$tmp/p.md"
check "(and wrote nothing)" test ! -e "$tmp/pub0" -a ! -e "$tmp/p.md"
expect "a bad projections file is bad input, located" 2 "published_indicator_typo.yaml:10:16: error: projections\[0\].indicator" -- \
  "$hwfsim" compare $good $good -o "$tmp/pub1" --published tests/data/bad/published_indicator_typo.yaml
expect "compare --published sets the runs against the projections" 0 "published projections: the model agrees with [0-9]+ of 9; page $tmp/pages/projections.md" -- \
  "$hwfsim" compare scenarios/flagship.yaml scenarios/world-uk-training-expansion.yaml -o "$tmp/pub" \
  --published models/world/published.yaml --published-report "$tmp/pages/projections.md"
check "projections.csv has a row per projection" test "$(grep -c ',relative,\|,persons,' "$tmp/pub/projections.csv")" -eq 9
check "--published-report wrote the folder's page" cmp -s "$tmp/pub/projections.md" "$tmp/pages/projections.md"
check "its table and explanations are docs/validation.md's section of published projections" bash -c \
  "diff <(sed -n '/^## The projections\$/,\$p' '$tmp/pub/projections.md' | sed 's/^#*//') \
        <(sed -n '/^### The projections\$/,/^## Every held-out value\$/p' docs/validation.md | sed '\$d; s/^#*//')"
expect "compare needs two scenarios" 2 "scenarios: At least 2 required" -- "$hwfsim" compare scenarios/two-countries.yaml
expect "compare rejects scenarios of different models" 2 "cannot be compared with" -- \
  "$hwfsim" compare scenarios/two-countries.yaml $good -o "$tmp/c3"
expect "compare reports bad input of any scenario" 2 "policies.q.quoat: unknown key" -- \
  "$hwfsim" compare $good tests/data/bad/scenario_policy_unknown_key.yaml -o "$tmp/c4"
check "no folder after a refused comparison" test ! -e "$tmp/c4"

# backcast: a past start compared with observed counts
bc="$tmp/bc"
expect "backcast compares and reports" 0 "Back-cast good: 2020 to 2030, 5 observed values compared" -- \
  "$hwfsim" backcast $good --observed tests/data/backcast/observed.yaml -o "$bc" --report "$tmp/report/validation.md"
check "backcast wrote its table" grep -q "^good,AAA,nurses,2025,1500," "$bc/backcast.csv"
check "the report quotes the data's note" grep -q "a break in the series" "$bc/validation.md"
check "the report names its regenerating command" grep -q "hwfsim backcast .*--observed tests/data/backcast/observed.yaml" "$bc/validation.md"
check "the chart is an SVG" grep -q "<svg" "$bc/validation.svg"
check "--report wrote the page and its chart" test -s "$tmp/report/validation.md" -a -s "$tmp/report/validation.svg"
expect "the shipped back-cast runs" 0 "Back-cast backcast-2013: 2013 to 2020" -- \
  "$hwfsim" backcast scenarios/validation/backcast-2013.yaml --observed models/world/observed.yaml -o "$tmp/bc2"
check "docs/backcast.md is the shipped back-cast's report" \
  bash -c "diff <(grep -v '^hwfsim backcast' '$tmp/bc2/validation.md') <(grep -v '^hwfsim backcast' docs/backcast.md)"

# sources: docs/data-sources.md is generated
check "docs/data-sources.md is up to date (hwfsim sources scenarios/flagship.yaml)" \
  bash -c "'$hwfsim' sources scenarios/flagship.yaml | cmp -s - docs/data-sources.md"

check "docs/yaml-reference.md holds the current hwfsim schema tables" \
  bash -c "sed -n '/generated by .hwfsim schema.: begin/,/generated by .hwfsim schema.: end/p' docs/yaml-reference.md | sed '1d;\$d' | cmp -s - <('$hwfsim' schema)"

# mc: Monte Carlo ensembles
mcs=scenarios/two-countries-uncertainty.yaml
expect "mc writes quantiles and samples" 0 "Monte Carlo two-countries-uncertainty: 200 runs \\(lhs sampling, seed 20261125, 4 sampled dimensions\\)" -- \
  "$hwfsim" mc $mcs --samples 200 -o "$tmp/mc1" --threads 1
check "quantiles.csv has mean, sd and five quantiles" \
  grep -q "^scenario,year,country,cadre,indicator,mean,sd,p05,p25,p50,p75,p95$" "$tmp/mc1/quantiles.csv"
check "corridor_quantiles.csv is written" grep -q "^two-countries-uncertainty,2045,GHA,GBR,nurses,emigration," "$tmp/mc1/corridor_quantiles.csv"
check "samples.csv has a row per run" test "$(wc -l < "$tmp/mc1/samples.csv")" -eq 201
check "mc writes report.html" grep -q '"kind":"mc"' "$tmp/mc1/report.html"
"$hwfsim" mc $mcs --samples 200 -o "$tmp/mc2" --threads 2 -q
check "1 and 2 threads give byte-identical files" \
  bash -c "cmp -s '$tmp/mc1/quantiles.csv' '$tmp/mc2/quantiles.csv' && cmp -s '$tmp/mc1/samples.csv' '$tmp/mc2/samples.csv' && cmp -s '$tmp/mc1/corridor_quantiles.csv' '$tmp/mc2/corridor_quantiles.csv'"
"$hwfsim" mc $mcs --samples 400 -o "$tmp/mc3" -q
check "run i's sample does not depend on the number of runs (random sampling)" bash -c "
  sed 's/sampling: lhs/sampling: random/' $mcs > '$tmp/mcr.yaml' && sed -i 's|extends: two-countries-policies.yaml|extends: $PWD/scenarios/two-countries-policies.yaml|' '$tmp/mcr.yaml' &&
  '$hwfsim' mc '$tmp/mcr.yaml' --samples 50 -o '$tmp/mcr1' -q && '$hwfsim' mc '$tmp/mcr.yaml' --samples 80 -o '$tmp/mcr2' -q &&
  cmp -s <(head -51 '$tmp/mcr1/samples.csv') <(head -51 '$tmp/mcr2/samples.csv')"
printf 'scenario: same-as-base\nextends: %s\n' "$PWD/$mcs" > "$tmp/same.yaml"
printf 'scenario: bigger-top-up\nextends: %s\nset:\n  policies.ghana-top-up.u: 0.5\n' "$PWD/$mcs" > "$tmp/more.yaml"
expect "mc --compare runs every scenario on the same samples" 0 "and 2 compared" -- \
  "$hwfsim" mc --compare $mcs "$tmp/same.yaml" "$tmp/more.yaml" --samples 60 -o "$tmp/mcc"
check "an identical scenario differs from the baseline by exactly 0 in every run" \
  bash -c "test \$(grep -c '^same-as-base,' '$tmp/mcc/difference_quantiles.csv') -gt 1000 &&
           grep '^same-as-base,' '$tmp/mcc/difference_quantiles.csv' | awk -F, '{for (i = NF - 6; i <= NF; ++i) if (\$i != 0) bad = 1} END {exit bad}'"
check "a bigger top-up has positive supply differences in every run (p05 > 0)" \
  bash -c "grep '^bigger-top-up,2045,GHA,all,supply,' '$tmp/mcc/difference_quantiles.csv' | awk -F, '{exit !(\$(NF-4) > 0)}'"
check "probabilities.csv has P(shortage below baseline) and P(sdg density >= 44.5)" \
  bash -c "grep -Eq '^bigger-top-up,2025,GHA,shortage_below_baseline,0\.[1-9]' '$tmp/mcc/probabilities.csv' && grep -q '^same-as-base,2045,GBR,sdg_density_at_least_44.5,' '$tmp/mcc/probabilities.csv'"
expect "mc --save-runs writes runs.nc" 0 "Monte Carlo" -- \
  "$hwfsim" mc $mcs --samples 30 --save-runs --save-indicators supply,shortage -o "$tmp/mcn"
check "runs.nc has the run, year, country and cadre dimensions and the chosen indicators" \
  bash -c "ncdump -h '$tmp/mcn/runs.nc' | grep -q 'double supply(scenario, run, year, country, cadre)' &&
           ncdump -h '$tmp/mcn/runs.nc' | grep -q 'run = 30' && ! ncdump -h '$tmp/mcn/runs.nc' | grep -q 'double emigration'"
check "runs.nc marks every run as successful" \
  bash -c "ncdump -v run_ok '$tmp/mcn/runs.nc' | grep -q 'run_ok = 1, 1, 1'"
expect "--save-indicators rejects an unknown indicator" 2 "'suply' is not an indicator" -- \
  "$hwfsim" mc $mcs --samples 5 --save-runs --save-indicators suply -o "$tmp/mcn2"
check "no folder after a rejected --save-runs" test ! -e "$tmp/mcn2"
expect "mc with two scenarios needs --compare" 2 "several scenarios given without --compare" -- \
  "$hwfsim" mc $mcs "$tmp/same.yaml" -o "$tmp/mcx"
expect "mc needs an uncertainty block" 2 "has no \`uncertainty\` block" -- "$hwfsim" mc $good -o "$tmp/mc4"
expect "mc refuses more samples than the limit" 2 "--samples: Value 1000000000 not in range" -- \
  "$hwfsim" mc $mcs --samples 1000000000 -o "$tmp/mc5"
expect "mc refuses what would not fit --memory, even as sketches" 2 "for quantile sketches, more than the limit of 1 MiB; raise --memory" -- \
  "$hwfsim" mc $mcs --samples 5000 --memory 1 -o "$tmp/mc6"
expect "mc refuses sketched chunks that are not whole blocks of runs" 2 "must be a multiple of 2048, not 100" -- \
  "$hwfsim" mc $mcs --samples 5000 --memory 40 --chunk-runs 100 -o "$tmp/mc7"
expect "mc refuses a non-empty folder" 3 "already holds results" -- "$hwfsim" mc $mcs --samples 10 -o "$tmp/mc1"
expect "mc --resume needs a checkpoint" 1 "holds no checkpoint to resume" -- \
  "$hwfsim" mc $mcs --samples 10 --resume "$tmp/mc1"
expect "mc --resume and another -o are refused" 2 "--resume names the results folder to carry on" -- \
  "$hwfsim" mc $mcs --samples 10 --resume "$tmp/mc1" -o "$tmp/elsewhere"
expect "mc --resume with --no-checkpoint is refused" 2 "--resume goes on saving its checkpoint" -- \
  "$hwfsim" mc $mcs --samples 10 --no-checkpoint --resume "$tmp/mc1"
# A one-process run with --checkpoint, interrupted (SIGINT) and resumed, ends as an uninterrupted one.
"$hwfsim" mc $mcs --samples 6000 --memory 40 -q -o "$tmp/mcfull"
"$hwfsim" mc $mcs --samples 6000 --memory 40 -q --checkpoint --checkpoint-interval 0.2 -o "$tmp/mcint" 2>"$tmp/mcint.err" &
mcpid=$!
for _ in $(seq 1 300); do [[ -e "$tmp/mcint/checkpoint/state.bin" ]] && break; sleep 0.05; done
kill -INT $mcpid
wait $mcpid
check "Ctrl-C with --checkpoint keeps the checkpoint and says how to resume" \
  grep -q "carry on with --resume" "$tmp/mcint.err"
"$hwfsim" mc $mcs --samples 6000 --memory 40 -q --resume "$tmp/mcint"
check "the resumed run's quantiles equal an uninterrupted run's" \
  cmp -s "$tmp/mcfull/quantiles.csv" "$tmp/mcint/quantiles.csv"
check "the checkpoint is gone once the results are written" test ! -e "$tmp/mcint/checkpoint"

# Failed runs and numerical edge cases
mkdir -p "$tmp/fail"
cp tests/data/good/model.yaml "$tmp/fail/model.yaml"
cat > "$tmp/fail/big.yaml" <<'YAML'
scenario: big-target
model: model.yaml
horizon: {end: 2030}
solver: {method: dopri5}
policies:
  - {name: big, type: agreement, origin: AAA, destination: BBB, target_flow: 50000, start: 2025}
uncertainty:
  samples: 20
  sampling: random
  seed: 1
  parameters:
    countries.AAA.cadres.nurses.exit_rate: {dist: uniform, min: 0.05, max: 0.07}
YAML
expect "a failed run names the policy and its parameter, not the solver" 1 \
  "W\[AAA,nurses\] went negative .* policy 'big' adds .* \(policies\.big\.target_flow = 50000\), more than the stock can carry\. Lower policies\.big\.target_flow or shorten the policy; a smaller solver step does not help" -- \
  "$hwfsim" run "$tmp/fail/big.yaml" -o "$tmp/fail/run"
check "a failed run writes no results" test ! -e "$tmp/fail/run"
expect "mc --skip-failed with every run failing fails" 1 \
  "every run failed, so there are no statistics: 20 runs failed" -- \
  "$hwfsim" mc "$tmp/fail/big.yaml" --skip-failed -q -o "$tmp/fail/mc"
check "no results when every run failed" test ! -e "$tmp/fail/mc"
expect "mc refuses a NaN --checkpoint-interval" 2 "--checkpoint-interval: Value nan not in range \[0 - 86400\]" -- \
  "$hwfsim" mc $mcs --samples 10 --checkpoint-interval nan -o "$tmp/fail/nan"
# (random sampling: a Latin hypercube of 10,000,000 runs alone takes most of a minute)
sed -e 's/sampling: lhs/sampling: random/' -e "s|extends: two-countries-policies.yaml|extends: $PWD/scenarios/two-countries-policies.yaml|" \
  $mcs > "$tmp/fail/random.yaml"
expect "mc refuses exact values the machine cannot hold, with their size" 2 \
  "keeping every value of 10000000 runs x 3094 values per run needs 236053 MiB, which this machine could not allocate" -- \
  "$hwfsim" mc "$tmp/fail/random.yaml" --samples 10000000 --memory 16777216 -o "$tmp/fail/huge"
check "no folder after the memory refusal" test ! -e "$tmp/fail/huge"
# A truncated normal whose window lies 88 sd below its mean: every draw in the window, near max.
sed -e 's/^scenario: big-target/scenario: tail/' -e '/^policies:/,/target_flow/d' \
  -e 's/{dist: uniform, min: 0.05, max: 0.07}/{dist: truncated_normal, mean: 0.9, sd: 0.01, min: 0.02, max: 0.03}/' \
  "$tmp/fail/big.yaml" > "$tmp/fail/tail.yaml"
expect "mc samples a truncated normal far in its lower tail" 0 "Monte Carlo tail: 20 runs" -- \
  "$hwfsim" mc "$tmp/fail/tail.yaml" -o "$tmp/fail/tail"
# Near max the density falls as exp(-87 (0.03 - x) / sd): draws 0.000115 below max on average.
check "every draw is in the window, spread below max as the tail's exponential" \
  bash -c "tail -n +2 '$tmp/fail/tail/samples.csv' | awk -F, '{ if (\$NF < 0.02 || \$NF > 0.03) bad = 1; d += 0.03 - \$NF; n++ }
           END { exit bad || n != 20 || d / n < 0.00006 || d / n > 0.0002 }'"

# docs/cli.md shows every command's current --help
doc=$(cat docs/cli.md)
for cmd in "" run validate show params compare sources backcast calibrate mc sensitivity schema report workshop; do
  text=$("$hwfsim" $cmd --help)
  if [[ $doc == *"$text"* ]]; then
    echo "ok   docs/cli.md holds 'hwfsim $cmd --help'"; passed=$((passed + 1))
  else
    echo "FAIL docs/cli.md lacks the current 'hwfsim $cmd --help'"; failed=$((failed + 1))
  fi
done

# mc --compare: the shipped pair runs as documented; ties count in the tie-inclusive probability;
# a scenario draws the same values alone and compared.
mcb=scenarios/two-countries-baseline-uncertainty.yaml
expect "the documented mc --compare of the shipped pair runs" 0 \
  "Monte Carlo two-countries-baseline-uncertainty and 1 compared: 60 runs \\(lhs sampling, seed 20261125, 4 sampled dimensions\\)" -- \
  "$hwfsim" mc --compare $mcb $mcs --samples 60 -o "$tmp/pair2"
check "mc --compare of the shipped pair writes the differences" \
  grep -q "^two-countries-uncertainty,2045,GHA,all,supply," "$tmp/pair2/difference_quantiles.csv"
"$hwfsim" mc $mcs --samples 60 -o "$tmp/alone" -q
"$hwfsim" mc $mcb --samples 60 -o "$tmp/alone-base" -q
check "a policy draws the same values alone and compared (its quantiles.csv rows are the same bytes)" \
  cmp -s <(grep "^two-countries-uncertainty," "$tmp/alone/quantiles.csv") \
         <(grep "^two-countries-uncertainty," "$tmp/pair2/quantiles.csv")
check "the baseline draws the same values alone and compared" \
  cmp -s <(grep "^two-countries-baseline-uncertainty," "$tmp/alone-base/quantiles.csv") \
         <(grep "^two-countries-baseline-uncertainty," "$tmp/pair2/quantiles.csv")
check "a policy's samples alone are its columns of the comparison's samples.csv" bash -c "
  cmp -s <(cut -d, -f1-5 '$tmp/alone/samples.csv' | sort) \
         <(awk -F, -v OFS=, '{print \$1, \$2, \$3, \$5, \$4}' '$tmp/pair2/samples.csv' | sort)"
check "a scenario identical to the baseline ties in every run: at most 1, strictly below 0" bash -c "
  awk -F, '\$1 == \"same-as-base\" && \$4 == \"shortage_not_above_baseline\" {n++; if (\$5 != 1) bad = 1}
           \$1 == \"same-as-base\" && \$4 == \"shortage_below_baseline\" {m++; if (\$5 != 0) bad = 1}
           END {exit bad || n < 50 || m != n}' '$tmp/mcc/probabilities.csv'"
check "the baseline has no shortage probabilities of its own" bash -c "
  ! grep -Eq '^two-countries-uncertainty,[0-9]+,[A-Z]+,shortage_(below|not_above)_baseline,' '$tmp/mcc/probabilities.csv'"

# --save-indicators: duplicates and near misses are refused before anything is created.
expect "--save-indicators refuses an indicator named twice" 2 \
  "^--save-indicators: error: 'supply' is named twice" -- \
  "$hwfsim" mc $mcs --samples 5 --save-runs --save-indicators supply,supply -o "$tmp/dup"
check "no folder and no temporary after a duplicate indicator" test ! -e "$tmp/dup"
expect "--save-indicators suggests the closest name" 2 "did you mean 'supply'\\?" -- \
  "$hwfsim" mc $mcs --samples 5 --save-runs --save-indicators "suply" -o "$tmp/dup"
expect "--save-indicators lists the corridor indicators with their prefix" 2 \
  "corridor indicators: corridor_emigration, corridor_returns" -- \
  "$hwfsim" mc $mcs --samples 5 --save-runs --save-indicators "supply,emigrations" -o "$tmp/dup"

# compare: the console options as people type them.
cmpargs=(scenarios/two-countries.yaml scenarios/two-countries-policies.yaml)
"$hwfsim" compare "${cmpargs[@]}" -o "$tmp/cc" --countries "gha, Gbr" > "$tmp/cc.out" 2>&1
check "--countries takes any case and spaces after commas (the table has GHA and GBR rows)" bash -c "
  grep -Eq '^two-countries-policies +GHA +178402 ' '$tmp/cc.out' && grep -Eq '^two-countries-policies +GBR +310994 ' '$tmp/cc.out'"
expect "--countries UK hints GBR" 2 "^--countries: error: 'UK' is not a country of the model.*did you mean 'GBR'\\?" -- \
  bash -c "'$hwfsim' compare ${cmpargs[*]} -o '$tmp/cc2' --countries GHA,UK 2>&1 | tr '\\n' ' '; exit \${PIPESTATUS[0]}"
expect "--countries Ghana hints GHA" 2 "did you mean 'GHA'\\?" -- \
  "$hwfsim" compare "${cmpargs[@]}" -o "$tmp/cc2" --countries ghana
expect "--countries with a trailing comma (unquoted spaces) says how to write the list" 2 \
  "'gha,' has an empty item.*quote it" -- \
  bash -c "'$hwfsim' compare ${cmpargs[*]} -o '$tmp/cc2' --countries gha, 2>&1 | tr '\\n' ' '; exit \${PIPESTATUS[0]}"
expect "--discount-rate 3% hints 0.03" 2 "'3%' is a percentage; write the fraction 0.03 instead" -- \
  "$hwfsim" compare "${cmpargs[@]}" -o "$tmp/cc2" --discount-rate 3%
check "no folder after the refused console options" test ! -e "$tmp/cc2"
"$hwfsim" compare "${cmpargs[@]}" -o "$tmp/cc3" --years 2030,2040 > "$tmp/cc3.out" 2>&1
check "--years 2030,2040 prints a table for each year" bash -c "
  grep -q '^All cadres in 2030;' '$tmp/cc3.out' && grep -q '^All cadres in 2040;' '$tmp/cc3.out' &&
  ! grep -q '^All cadres in 2045;' '$tmp/cc3.out' &&
  grep -Eq '^two-countries-baseline +GHA +[0-9]+ ' <(sed -n '/in 2030;/,/in 2040;/p' '$tmp/cc3.out')"
check "without --years, one table: the end year's" bash -c "
  test \$(grep -c '^All cadres in ' '$tmp/cc.out') -eq 1 && grep -q '^All cadres in 2045;' '$tmp/cc.out'"
"$hwfsim" compare "${cmpargs[@]}" -o "$tmp/cc4" --cadre nurses --countries GHA > "$tmp/cc4.out" 2>&1
check "--cadre nurses prints the cadre's table from indicators.csv" bash -c "
  grep -q '^nurses in 2045' '$tmp/cc4.out' &&
  supply=\$(grep '^two-countries-policies,2045,GHA,nurses,supply,' '$tmp/cc4/indicators.csv' | cut -d, -f6) &&
  grep -Eq \"^two-countries-policies +GHA +\$(printf '%.0f' \$supply) \" '$tmp/cc4.out'"
expect "--cadre with a typo suggests the cadre" 2 "did you mean 'nurses'\\?" -- \
  "$hwfsim" compare "${cmpargs[@]}" -o "$tmp/cc5" --cadre nurse

# The workshop's Monte Carlo exercise: the policy file inherits the baseline's samples, sampling,
# seed and parameters, and adds one entry of its own.
expect "the workshop's mc --compare runs as written" 0 \
  "Monte Carlo uncertain-baseline and 1 compared: 40 runs \\(lhs sampling, seed 2026, 4 sampled dimensions\\)" -- \
  "$hwfsim" mc --compare scenarios/workshop/uncertain-baseline.yaml scenarios/workshop/uncertain-top-up.yaml --samples 40 -o "$tmp/wmc"
check "the inherited and the policy's own inputs are sampled, the policy's last" \
  grep -q '^run,countries.GHA.cadres.nurses.exit_rate,corridors.GHA-GBR.nurses.emigration_rate,countries.\*.cadres.\*.retirement_rate,policies.ghana-pay.eps_m$' "$tmp/wmc/samples.csv"

# Net migration has one definition (indicators.csv): a run's indicators.csv, compare's
# summary.csv and compare's printed table give the same UK figure for 2045.
"$hwfsim" run scenarios/two-countries.yaml -o "$tmp/netrun" -q
netout=$("$hwfsim" compare scenarios/two-countries.yaml scenarios/two-countries-policies.yaml -o "$tmp/netcmp")
run_net=$(grep '^two-countries-baseline,2045,GBR,all,net_migration,' "$tmp/netrun/indicators.csv" | cut -d, -f6)
sum_net=$(grep '^two-countries-baseline,2045,GBR,net_migration,' "$tmp/netcmp/summary.csv" | cut -d, -f5)
con_net=$(awk '$1 == "two-countries-baseline" && $2 == "GBR" { print $7 }' <<<"$netout")
check "net migration: run's indicators.csv and compare's summary.csv agree ($run_net, $sum_net)" \
  test -n "$run_net" -a "$run_net" = "$sum_net"
check "net migration: the printed table shows the same, rounded ($con_net)" \
  test "$con_net" = "$(printf '%.0f' "$sum_net")" -a "$con_net" = 2372
# Money in the printed table reads as in report.html: 1.27 B, not 1.269e+09.
con_cost=$(awk '$1 == "two-countries-policies" && $2 == "GHA" { print $8, $9 }' <<<"$netout")
check "compare prints the policy cost as money ($con_cost)" test "$con_cost" = "1.27 B"

# The format version: the shipped files say `format: 1`; another version is bad input, located.
expect "a scenario of an unknown format version is bad input" 2 \
  "scenario_format_unknown.yaml:6:9: error: format: unknown format version 2" -- \
  "$hwfsim" validate tests/data/bad/scenario_format_unknown.yaml
check "every shipped model and scenario says format: 1" \
  bash -c '! grep -L "^format: 1$" models/*/*.yaml scenarios/*.yaml scenarios/*/*.yaml | grep .'

finish
