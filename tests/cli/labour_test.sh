#!/usr/bin/env bash
# Funded posts from the command line (docs/model.md, 15.5-15.6): the labour-market rows exist
# only where posts are given, the summary's wage bill and policy cost add up the yearly rows
# they come from, and Monte Carlo keeps quantiles of the unemployed. Usage: labour_test.sh
# /path/to/hwfsim (from the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
base=tests/data/good/scenario_posts.yaml
hiring=tests/data/good/scenario_posts_hiring.yaml

expect "posts and the keys beside them are parameters" 0 \
  "countries\.AAA\.cadres\.nurses\.hire_years +0\.5 +years" -- "$hwfsim" params $base
expect "the hiring policy's posts are a parameter" 0 \
  "policies\.hire\.added_posts +200 +posts" -- "$hwfsim" params $hiring

out="$tmp/run"
expect "run writes results with funded posts" 0 \
  "Results in .*indicators\.csv, corridors\.csv, run\.json, report\.html" -- "$hwfsim" run $base -o "$out"
check "the unemployed of AAA's nurses are reported" \
  grep -q "^posts,2030,AAA,nurses,unemployed," "$out/indicators.csv"
check "and of AAA's cadre all" grep -q "^posts,2030,AAA,all,unemployment_rate," "$out/indicators.csv"
check "BBB, without posts, has no labour-market rows" \
  bash -c "! grep -Eq ',BBB,[a-z]+,(posts|vacancies|unemployed|unemployment_rate|hires|unemployed_exits|hiring_cost),' '$out/indicators.csv'"
check "every country-cadre has a wage bill" grep -q "^posts,2030,BBB,nurses,wage_bill," "$out/indicators.csv"
check "report.html is written" test -s "$out/report.html"

# The summary's cumulative figures are the sums of the yearly rows of indicators.csv.
cmp_out="$tmp/compare"
expect "compare runs the hiring policy against the baseline" 0 "posts-hiring" -- \
  "$hwfsim" compare $base $hiring -o "$cmp_out"
sum_rows() {  # sum_rows SCENARIO COUNTRY INDICATOR: the sum of its cadre-`all` rows after 2020
  awk -F, -v s="$1" -v c="$2" -v i="$3" '$1 == s && $2 > 2020 && $3 == c && $4 == "all" && $5 == i { t += $6 } END { printf "%.6e", t }' "$cmp_out/indicators.csv"
}
summary() {  # summary SCENARIO COUNTRY INDICATOR: its value in 2030
  awk -F, -v s="$1" -v c="$2" -v i="$3" '$1 == s && $2 == 2030 && $3 == c && $4 == i { printf "%.6e", $5 }' "$cmp_out/summary.csv"
}
check "wage_bill_cumulative is the sum of the yearly wage bills ($(summary posts-hiring BBB wage_bill_cumulative))" \
  test "$(summary posts-hiring BBB wage_bill_cumulative)" = "$(sum_rows posts-hiring BBB wage_bill)"
check "the hiring cost is the policy cost ($(summary posts-hiring AAA policy_cost_cumulative) USD)" \
  test "$(summary posts-hiring AAA policy_cost_cumulative)" = "$(sum_rows posts-hiring AAA hiring_cost)"
check "the policy has a cost" bash -c "[ \"\$(awk -F, '\$1 == \"posts-hiring\" && \$2 == 2030 && \$3 == \"AAA\" && \$4 == \"policy_cost_cumulative\" { print (\$5 > 0) }' '$cmp_out/summary.csv')\" = 1 ]"
check "the summary has the unemployed of AAA" grep -q "^posts-hiring,2030,AAA,unemployed," "$cmp_out/summary.csv"
check "and none for BBB" bash -c "! grep -q ',BBB,unemployed,' '$cmp_out/summary.csv'"
check "more posts, fewer unemployed in 2030" bash -c "awk -F, '\$2 == 2030 && \$3 == \"AAA\" && \$4 == \"unemployed\" { v[\$1] = \$5 } END { exit !(v[\"posts-hiring\"] < v[\"posts\"]) }' '$cmp_out/summary.csv'"

mc_out="$tmp/mc"
expect "mc samples the hire time" 0 "Monte Carlo posts-hiring: 32 runs" -- "$hwfsim" mc $hiring -o "$mc_out"
check "quantiles of AAA's unemployed, one row a year" \
  test "$(grep -c '^posts-hiring,20[0-9][0-9],AAA,nurses,unemployed,' "$mc_out/quantiles.csv")" = 11
check "none for BBB" bash -c "! grep -q ',BBB,nurses,unemployed,' '$mc_out/quantiles.csv'"
"$hwfsim" mc $hiring --threads 1 -q -o "$tmp/mc1" && "$hwfsim" mc $hiring --threads 2 -q -o "$tmp/mc2"
check "the same quantiles with 1 and 2 threads" cmp -s "$tmp/mc1/quantiles.csv" "$tmp/mc2/quantiles.csv"

# Age bands and the workshop's exercises 7 and 8 (docs/workshop.md quotes these figures).
w="$tmp/workshop"
expect "compare writes the ages with the workshop's scenarios" 0 \
  "ages\.csv, age_deltas\.csv" -- "$hwfsim" compare scenarios/workshop/ghana-graduates-without-posts.yaml \
  scenarios/workshop/ghana-more-posts.yaml scenarios/workshop/uk-retirement-wave.yaml -o "$w"
value() {  # value FILE SCENARIO YEAR KEY...: a value of FILE, rounded to a whole number
  local f=$1 s=$2 y=$3
  shift 3
  awk -F, -v s="$s" -v y="$y" -v k="$(IFS=,; echo "$*")" \
    '$1 == s && $2 == y { key = $3; for (i = 4; i < NF; ++i) key = key "," $i; if (key == k) printf "%.0f", $NF }' "$w/$f"
}
check "Ghana's unemployed in 2030: 16,942, and 4,949 with 15,000 more posts" test \
  "$(value indicators.csv ghana-graduates-without-posts 2030 GHA nurses unemployed),$(value indicators.csv ghana-more-posts 2030 GHA nurses unemployed)" = "16942,4949"
check "the UK's nurses aged 56-66: 120,171 in 2020, 67,770 in 2030, 70,662 retiring later" test \
  "$(value ages.csv ghana-graduates-without-posts 2020 GBR nurses 56-66 supply),$(value ages.csv ghana-graduates-without-posts 2030 GBR nurses 56-66 supply),$(value ages.csv uk-retirement-wave 2030 GBR nurses 56-66 supply)" = "120171,67770,70662"
check "the ages sum to the indicators (UK supply in 2045)" test \
  "$(awk -F, '$1 == "uk-retirement-wave" && $2 == 2045 && $3 == "GBR" && $6 == "supply" { t += $7 } END { printf "%.3f", t }' "$w/ages.csv")" = \
  "$(awk -F, '$1 == "uk-retirement-wave" && $2 == 2045 && $3 == "GBR" && $4 == "nurses" && $5 == "supply" { printf "%.3f", $6 }' "$w/indicators.csv")"
check "age_deltas.csv has the later retirement's gain in the last band" bash -c \
  "grep -q '^uk-retirement-wave,2045,GBR,nurses,56-66,supply,' '$w/age_deltas.csv'"
out_ages="$tmp/ages-run"
"$hwfsim" run scenarios/workshop/uk-retirement-wave.yaml -q -o "$out_ages"
check "run lists ages.csv in run.json" grep -q '"ages.csv"' "$out_ages/run.json"
ages=tests/data/good/scenario_ages_uncertainty.yaml
"$hwfsim" mc $ages --threads 1 -q -o "$tmp/ages1" && "$hwfsim" mc $ages --threads 2 -q -o "$tmp/ages2"
check "age_quantiles.csv is the same with 1 and 2 threads" cmp -s "$tmp/ages1/age_quantiles.csv" "$tmp/ages2/age_quantiles.csv"
check "and has a row per band and year of the UK's supply" \
  test "$(grep -c '^ages-uncertainty,20[0-9][0-9],GBR,nurses,[0-9-]*,supply,' "$tmp/ages1/age_quantiles.csv")" = 80

# The workshop's exercise 6 (docs/workshop.md quotes these figures): the UK-Kenya route.
w="$tmp/kenya"
mkdir -p "$tmp/k6"
printf 'scenario: route-1000\nextends: %s\nset:\n  policies.uk-kenya-nurses.active_quota: 1000\n' \
  "$PWD/scenarios/workshop/kenya-uk-nurses-page.yaml" >"$tmp/k6/quota.yaml"
printf 'scenario: route-employed\nextends: %s\nset:\n  policies.uk-kenya-nurses.unemployed_share: 0\n' \
  "$PWD/scenarios/workshop/kenya-uk-nurses-page.yaml" >"$tmp/k6/employed.yaml"
expect "a route quota of 1,000 never binds" 0 "active_quota: 1000 never binds" -- "$hwfsim" compare \
  scenarios/workshop/kenya-uk-nurses-page.yaml "$tmp/k6/quota.yaml" "$tmp/k6/employed.yaml" -o "$w"
flows() {  # flows SCENARIO: the Kenya-UK nurse emigration of 2023, 2024 and 2030
  local s=$1
  echo "$(value corridors.csv "$s" 2023 KEN GBR nurses emigration),$(value corridors.csv "$s" 2024 KEN GBR nurses emigration),$(value corridors.csv "$s" 2030 KEN GBR nurses emigration)"
}
check "the route's flow: 517, 555 and 445 a year; open recruitment: 915, 1,005 and 726" test \
  "$(flows kenya-uk-nurses-page);$(flows route-1000)" = "517,555,445;915,1005,726"
check "Kenya's practising nurses in 2030: 58,971, and 58,950 with recruits from posts" test \
  "$(value indicators.csv kenya-uk-nurses-page 2030 KEN nurses workforce_domestic),$(value indicators.csv route-employed 2030 KEN nurses workforce_domestic)" = "58971,58950"

finish
