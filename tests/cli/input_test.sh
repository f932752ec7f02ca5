#!/usr/bin/env bash
# What the commands say about inputs that are valid but suspect, or hostile: warnings and
# --strict, notes after a run, `remove:` in an extends chain, several YAML documents, terminal
# control characters, an extends symbolic-link loop. Usage: input_test.sh /path/to/hwfsim (from
# the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
src=$(pwd)

# remove: the remaining policies keep their own types and values, and run as if written by hand.
cat >"$tmp/removed.yaml" <<YAML
scenario: removed
extends: $src/scenarios/two-countries-policies.yaml
remove: [ghana-top-up]
YAML
cat >"$tmp/by_hand.yaml" <<YAML
scenario: removed
extends: $src/scenarios/two-countries.yaml
policies:
  - {name: ghana-nursing-seats, type: training, countries: [GHA], start: 2024, ramp_years: 4,
     added_seats: 2000, capital_cost_per_seat: 4000}
  - {name: uk-code, type: who_code, destinations: [GBR], compliance: 0.8, start: 2023}
  - {name: uk-ghana-agreement, type: agreement, origin: GHA, destination: GBR, cadres: [nurses],
     start: 2025, ramp_years: 1, quota: 1000, stay_years: 5, seats_per_recruit: 1}
YAML
show=$("$hwfsim" show "$tmp/removed.yaml" 2>&1)
check "show: ghana-nursing-seats stays a training policy" \
  grep -Pzq 'name: ghana-nursing-seats[^\n]*\n\s+type: training' <<<"$show"
check "show: uk-code stays a who_code policy" grep -Pzq 'name: uk-code[^\n]*\n\s+type: who_code' <<<"$show"
params=$("$hwfsim" params "$tmp/removed.yaml" 2>&1)
check "params: no compliance parameter on the training policy" \
  bash -c '! grep -q "policies.ghana-nursing-seats.compliance" <<<"$0"' "$params"
"$hwfsim" run "$tmp/removed.yaml" -o "$tmp/removed" -q
"$hwfsim" run "$tmp/by_hand.yaml" -o "$tmp/by_hand" -q
check "remove: indicators equal those of the same policies written by hand" \
  cmp -s "$tmp/removed/indicators.csv" "$tmp/by_hand/indicators.csv"
supply=$(awk -F, '$2==2045 && $3=="GHA" && $4=="nurses" && $5=="supply" {printf "%.0f", $6}' \
  "$tmp/removed/indicators.csv")
check "remove: Ghana's 2045 nurse supply is the hand-written figure ($supply)" \
  test "$supply" = "$(awk -F, '$2==2045 && $3=="GHA" && $4=="nurses" && $5=="supply" {printf "%.0f", $6}' "$tmp/by_hand/indicators.csv")"

# A policy that never acts within the horizon: a warning with file:line:col, --strict an error.
cat >"$tmp/late.yaml" <<YAML
scenario: late
extends: $src/scenarios/two-countries.yaml
policies:
  - {name: late-code, type: who_code, destinations: [GBR], compliance: 0.8, start: 2050}
  - {name: early-code, type: who_code, destinations: [GBR], compliance: 0.8, start: 2000, end: 2010}
YAML
expect "validate warns of a policy that starts after the horizon" 0 \
  "late.yaml:4:84: warning: policies.late-code.start: the policy starts in 2050, at or after the end of the horizon \(2045\): it never acts" -- \
  "$hwfsim" validate "$tmp/late.yaml"
expect "validate warns of a policy that ends before the horizon" 0 \
  "late.yaml:5:96: warning: policies.early-code.end: the policy ends in 2010, at or before the start of the horizon \(2020\): it never acts" -- \
  "$hwfsim" validate "$tmp/late.yaml"
expect "validate --strict makes the warning an error" 2 \
  "late.yaml:4:84: error: policies.late-code.start: the policy starts in 2050" -- \
  "$hwfsim" validate --strict "$tmp/late.yaml"
expect "run warns too" 0 "warning: policies.late-code.start" -- \
  "$hwfsim" run "$tmp/late.yaml" -o "$tmp/late" -q
check "run.json records the warnings" \
  grep -q 'late.yaml:4:84: warning: policies.late-code.start: the policy starts in 2050' \
  "$tmp/late/run.json"
expect "run --strict writes nothing" 2 "--strict makes warnings errors" -- \
  "$hwfsim" run --strict "$tmp/late.yaml" -o "$tmp/late_strict"
check "run --strict left no results folder" test ! -e "$tmp/late_strict"
expect "compare warns" 0 "warning: policies.early-code.end" -- \
  "$hwfsim" compare scenarios/two-countries.yaml "$tmp/late.yaml" -o "$tmp/late_cmp" -q
expect "compare --strict refuses" 2 "error: policies.early-code.end" -- \
  "$hwfsim" compare --strict scenarios/two-countries.yaml "$tmp/late.yaml" -o "$tmp/late_cmp2" -q
cat >"$tmp/late_mc.yaml" <<YAML
scenario: late-mc
extends: $src/scenarios/two-countries-uncertainty.yaml
policies:
  - {name: late-code, type: who_code, destinations: [GBR], compliance: 0.8, start: 2050}
YAML
expect "mc warns" 0 "late_mc.yaml:4:84: warning: policies.late-code.start" -- \
  "$hwfsim" mc "$tmp/late_mc.yaml" --samples 4 -o "$tmp/late_mc" -q
expect "mc --strict refuses" 2 "error: policies.late-code.start" -- \
  "$hwfsim" mc --strict "$tmp/late_mc.yaml" --samples 4 -o "$tmp/late_mc2" -q

# After a run: a quota that never binds is noted (and recorded); one that binds is not.
cat >"$tmp/loose.yaml" <<YAML
scenario: loose
extends: $src/scenarios/two-countries.yaml
policies:
  - {name: loose-deal, type: agreement, origin: GHA, destination: GBR, start: 2025,
     quota: 1000000}
  - {name: tight-deal, type: agreement, origin: GHA, destination: GBR, start: 2025, quota: 10}
YAML
out=$("$hwfsim" run "$tmp/loose.yaml" -o "$tmp/loose" -q 2>&1)
check "run notes a quota that never binds" \
  grep -q "loose.yaml:5:13: note: policies.loose-deal.quota: 1e+06 never binds" <<<"$out"
check "run does not note a quota that binds" bash -c '! grep -q "tight-deal" <<<"$0"' "$out"
check "run.json records the note" grep -q '"notes": \[' "$tmp/loose/run.json"
check "run.json's note names the quota" grep -q 'policies.loose-deal.quota: 1e+06 never binds' \
  "$tmp/loose/run.json"
# An agreement with a quota and an active quota: each limit is noted on its own.
cat >"$tmp/two_limits.yaml" <<YAML
scenario: two-limits
extends: $src/scenarios/two-countries.yaml
policies:
  - {name: quota-binds, type: agreement, origin: GHA, destination: GBR, start: 2025, quota: 10,
     active_quota: 1000000}
  - {name: active-binds, type: agreement, origin: GHA, destination: GBR, start: 2025,
     quota: 1000000, active_quota: 1}
YAML
out=$("$hwfsim" run "$tmp/two_limits.yaml" -o "$tmp/two_limits" -q 2>&1)
check "the idle active quota beside a binding quota is noted" \
  grep -q "policies.quota-binds.active_quota: 1e+06 never binds" <<<"$out"
check "the idle quota beside a binding active quota is noted" \
  grep -q "policies.active-binds.quota: 1e+06 never binds" <<<"$out"
check "and neither binding limit is" bash -c \
  '! grep -qE "quota-binds.quota:|active-binds.active_quota:" <<<"$0"' "$out"

# A second YAML document is an error naming its line (it used to be dropped, exit 0).
sed 's/^corridors:/---\ncorridors:/' models/teaching/two-countries.yaml >"$tmp/two_docs_model.yaml" 2>/dev/null ||
  true
line=$(grep -n '^---$' "$tmp/two_docs_model.yaml" | cut -d: -f1)
printf 'scenario: two-docs\nmodel: two_docs_model.yaml\nhorizon: {end: 2030}\n' >"$tmp/two_docs.yaml"
expect "a stray --- before corridors: is bad input at its line" 2 \
  "two_docs_model.yaml:$line:1: error: a second YAML document starts here" -- \
  "$hwfsim" validate "$tmp/two_docs.yaml"

# Terminal control characters are printed escaped, never raw.
printf 'scenario: s\nmodel: %s/tests/data/good/model.yaml\nhorizon: {end: 2030}\n"\\e]0;owned\\a\\e[2J": 1\n' \
  "$src" >"$tmp/escape.yaml"
"$hwfsim" validate "$tmp/escape.yaml" >"$tmp/escape.out" 2>&1
check "an ESC in a key is shown as \\x1b" grep -qF 'error: \x1b]0;owned\x07\x1b[2J: unknown key' "$tmp/escape.out"
check "no raw ESC or BEL reaches the terminal" bash -c '! grep -q $'"'"'[\x07\x1b]'"'"' "$0"' "$tmp/escape.out"

# An extends symbolic-link loop is bad input (exit 2) at the extends line, not an internal error.
ln -s loop.yaml "$tmp/loop.yaml"
printf 'scenario: s\nextends: loop.yaml\n' >"$tmp/loop_child.yaml"
expect "an extends symlink loop is bad input at its line" 2 "loop_child.yaml:2:10: error: extends: " -- \
  "$hwfsim" validate "$tmp/loop_child.yaml"

finish
