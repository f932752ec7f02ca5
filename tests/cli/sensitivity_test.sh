#!/usr/bin/env bash
# `hwfsim sensitivity` as a user runs it (docs/sensitivity.md): the files and their indices, the
# same bytes on 1 and 2 threads, report.html rebuilt to the same bytes, Morris, and bad input
# refused with exit 2 (an output pattern matching nothing, a zero-width input, too few base
# samples), an older folder kept (exit 3), and Ctrl-C leaving nothing. Usage:
# sensitivity_test.sh /path/to/hwfsim   (from the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
scenario=scenarios/two-countries-uncertainty.yaml
outputs='GHA.nurses.density_per_10k.2035,GBR.all.shortage.2035,GHA-GBR.nurses.emigration.2030'

expect "Sobol indices of 4 inputs for 3 outputs" 0 \
  "Sobol indices of 4 inputs for 3 outputs, 1536 runs \(256 base samples" -- \
  "$hwfsim" sensitivity $scenario --base-samples 256 --bootstrap 200 --outputs "$outputs" \
  --threads 1 -o "$tmp/t1"
check "it wrote indices, convergence, outputs, inputs, run.json, report.html, files.sha256" bash -c \
  "cd '$tmp/t1' && ls | tr '\n' ' ' | grep -qx 'convergence.csv files.sha256 indices.csv inputs.csv outputs.csv report.html run.json '"
check "indices.csv: 3 outputs x 4 inputs x (first order, total)" \
  test "$(($(wc -l <"$tmp/t1/indices.csv") - 1))" = 24
# Ghana's nurse exit rate drives its nurse density: its total index, with its interval around it.
check "the exit rate's total index on Ghana's nurse density is above 0.8, inside its interval" \
  awk -F, '$1 == "GHA.nurses.density_per_10k.2035" && $2 == "countries.GHA.cadres.nurses.exit_rate" && $4 == "total" { found = 1; if (!($5 > 0.8 && $6 <= $5 && $5 <= $7)) exit 1 } END { exit !found }' "$tmp/t1/indices.csv"
check "the shared retirement draw is one input, listing both parameters" \
  grep -q '^countries\.\*\.cadres\.\*\.retirement_rate,shared,countries.GHA.cadres.nurses.retirement_rate countries.GBR.cadres.nurses.retirement_rate,' "$tmp/t1/inputs.csv"
check "report.html is a sensitivity page" grep -q '"kind":"sensitivity"' "$tmp/t1/report.html"
"$hwfsim" sensitivity $scenario --base-samples 256 --bootstrap 200 --outputs "$outputs" --threads 2 -q -o "$tmp/t2"
check "2 threads: the same bytes" bash -c \
  "for f in indices.csv convergence.csv outputs.csv inputs.csv; do cmp -s '$tmp/t1/'\$f '$tmp/t2/'\$f || exit 1; done"
cp "$tmp/t1/report.html" "$tmp/report-first.html"
expect "hwfsim report rebuilds the page" 0 "Report in .*report\.html" -- "$hwfsim" report "$tmp/t1"
check "to the same bytes" cmp -s "$tmp/t1/report.html" "$tmp/report-first.html"
expect "an existing results folder is kept" 3 "already holds results; nothing was written" -- \
  "$hwfsim" sensitivity $scenario --base-samples 256 --outputs "$outputs" -q -o "$tmp/t1"
check "and its files are untouched" cmp -s "$tmp/t1/indices.csv" "$tmp/t2/indices.csv"

expect "Morris: 10 trajectories of 5 points" 0 "Morris elementary effects of 4 inputs for 3 outputs, 50 runs" -- \
  "$hwfsim" sensitivity $scenario --method morris --trajectories 10 --outputs "$outputs" -o "$tmp/morris"
check "Morris writes mu, mu_star, sigma and mu_star_relative, no convergence" bash -c \
  "test \$(grep -c ',morris,' '$tmp/morris/indices.csv') = 48 && test ! -e '$tmp/morris/convergence.csv'"

expect "an output pattern that matches nothing is refused, naming --outputs" 2 \
  "^--outputs: error: 'GHA.nurses.densty_per_10k.2035' matches no output: no indicator" -- \
  "$hwfsim" sensitivity $scenario --outputs GHA.nurses.densty_per_10k.2035 -o "$tmp/bad1"
expect "with the closest output" 2 "did you mean 'GHA.nurses.density_per_10k.2035'" -- \
  "$hwfsim" sensitivity $scenario --outputs GHA.nurses.densty_per_10k.2035 -o "$tmp/bad1"
expect "fewer base samples than inputs" 2 "--base-samples: error: 2 base samples are too few for 4 inputs" -- \
  "$hwfsim" sensitivity $scenario --base-samples 2 -o "$tmp/bad2"
expect "base samples not a power of two, with the next one" 2 "did you mean '--base-samples 1024'" -- \
  "$hwfsim" sensitivity $scenario --base-samples 1000 -o "$tmp/bad3"
expect "an unknown method" 2 "--method" -- "$hwfsim" sensitivity $scenario --method sobel -o "$tmp/bad4"
cat >"$tmp/zero.yaml" <<YAML
format: 1
scenario: zero-width
extends: $PWD/$scenario
uncertainty:
  parameters:
    countries.GBR.cadres.nurses.exit_rate: {dist: discrete, values: [0.06]}
YAML
expect "a zero-width input, at its file, line and column" 2 "zero\.yaml:6:[0-9]+.*zero width" -- \
  "$hwfsim" sensitivity "$tmp/zero.yaml" -o "$tmp/bad5"
check "no refused study left a folder" bash -c "! ls -d '$tmp'/bad* 2>/dev/null"

# uncertainty.samples is mc's: a sensitivity study runs without it; mc refuses it, at the block.
cat >"$tmp/no-samples.yaml" <<YAML
format: 1
scenario: no-samples
extends: $PWD/scenarios/two-countries.yaml
uncertainty:
  seed: 3
  parameters:
    countries.GHA.cadres.nurses.exit_rate: {dist: uniform, min: 0.02, max: 0.04}
YAML
expect "a scenario without uncertainty.samples: sensitivity runs it" 0 "Sobol indices of 1 inputs for 4 outputs, 48 runs" -- \
  "$hwfsim" sensitivity "$tmp/no-samples.yaml" --base-samples 16 -o "$tmp/no-samples"
expect "mc refuses it at its uncertainty block" 2 "no-samples\.yaml:5:3: error: uncertainty\.samples: missing required key" -- \
  "$hwfsim" mc "$tmp/no-samples.yaml" -o "$tmp/no-samples-mc"
expect "unless given --samples" 0 "Monte Carlo no-samples: 20 runs" -- \
  "$hwfsim" mc "$tmp/no-samples.yaml" --samples 20 -o "$tmp/no-samples-mc"

# Ctrl-C during the runs: exit 1, the message, no folder.
"$hwfsim" sensitivity $scenario --base-samples 65536 --threads 1 -q -o "$tmp/stopped" >"$tmp/stopped.txt" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
check "Ctrl-C stops the runs with exit 1 ($rc)" test $rc -eq 1
check "and says nothing was written" grep -q "the runs were interrupted: nothing was written" "$tmp/stopped.txt"
check "and leaves no folder" test ! -e "$tmp/stopped"
finish
