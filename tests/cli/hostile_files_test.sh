#!/usr/bin/env bash
# Hostile files and folders (docs/robustness.md): devices, FIFOs, symbolic link loops and /proc
# files given as inputs are refused at once as bad input (exit 2) naming their kind; a run.json
# nested 100,000 deep is refused. Usage: hostile_files_test.sh /path/to/hwfsim (from the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
good=tests/data/good/scenario.yaml
cp tests/data/good/model.yaml "$tmp/model.yaml"
mkfifo "$tmp/fifo.yaml"
ln -s loop.yaml "$tmp/loop.yaml"
scenario() {  # scenario FILE LINE: a scenario on the good model with one more line
  printf 'scenario: s\n%s\nhorizon: {end: 2030}\n' "$2" >"$tmp/$1"
}

# Inputs that are not regular files: refused before reading, so nothing blocks or grows
# (`timeout` turns a hang into a failure).
for f in /dev/zero /dev/urandom "$tmp/fifo.yaml"; do
  expect "$f as the scenario is bad input naming its kind" 2 \
    "^$f: error: this is (a character device \(such as /dev/zero or a terminal\)|a FIFO \(named pipe\)), not a regular file" -- \
    timeout 10 "$hwfsim" run "$f" -o "$tmp/out"
done
expect "a symbolic link loop as the scenario says so" 2 \
  "loop.yaml: error: this is a symbolic link loop" -- timeout 10 "$hwfsim" validate "$tmp/loop.yaml"
for model in /dev/zero /dev/urandom /proc/self/mem fifo.yaml loop.yaml; do
  scenario m.yaml "model: $model"
  expect "model: $model is bad input at the model: key" 2 \
    "m.yaml:2:8: error: model: the model file '[^']*' cannot be read: (this is|read error)" -- \
    timeout 10 "$hwfsim" validate "$tmp/m.yaml"
done
scenario e.yaml "extends: /dev/zero"
expect "extends: /dev/zero is bad input at the extends: key" 2 \
  "e.yaml:2:10: error: extends: the parent scenario '/dev/zero' cannot be read: this is a character device" -- \
  timeout 10 "$hwfsim" validate "$tmp/e.yaml"
test ! -e "$tmp/out" && ok "nothing was written for bad input" || bad "a results folder was written"

# report: a run.json nested 100,000 deep inside a run's record (this crashed the reader), a
# run.json or a CSV that is a device.
mkdir "$tmp/deep"
{
  printf '{"scenario":'
  head -c 100000 /dev/zero | tr '\0' '['
  head -c 100000 /dev/zero | tr '\0' ']'
  printf ',"horizon":1}'
} >"$tmp/deep/run.json"
expect "report refuses a run.json nested 100,000 deep" 2 \
  "run.json: error: not a run.json hwfsim writes: its arrays and objects nest more than 64 levels deep" -- \
  timeout 10 "$hwfsim" report "$tmp/deep"
"$hwfsim" run $good -q -o "$tmp/run"
ln -sf /dev/zero "$tmp/run/indicators.csv"
expect "report refuses a CSV that is a device" 2 "indicators.csv: error: this is a character device" -- \
  timeout 10 "$hwfsim" report "$tmp/run"
rm "$tmp/run/indicators.csv"
mkfifo "$tmp/run/indicators.csv"
expect "report refuses a CSV that is a FIFO" 2 "indicators.csv: error: this is a FIFO" -- \
  timeout 10 "$hwfsim" report "$tmp/run"

finish
