#!/usr/bin/env bash
# Hostile files and folders (docs/robustness.md): devices, FIFOs, symbolic link loops and /proc
# files given as inputs are refused at once as bad input (exit 2) naming their kind; a run.json
# nested 100,000 deep is refused; text that a spreadsheet or a Markdown page would execute is
# neutralised. Usage: hostile_files_test.sh /path/to/hwfsim (from the source root).
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
(cd "$tmp/deep" && sha256sum run.json >files.sha256)  # one complete run's folder, as far as it says
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

# Spreadsheet formulas in text fields get an apostrophe (numbers stay numbers); Markdown pages
# show HTML from the input as text.
cat >"$tmp/f.yaml" <<'YAML'
scenario: formulas
model: model.yaml
horizon: {end: 2030}
set:
  countries.AAA.cadres.nurses.exit_rate: {value: 0.035, source: "=HYPERLINK(\"http://x\",\"y\") <b>z</b>"}
YAML
"$hwfsim" params --csv "$tmp/f.yaml" >"$tmp/params.csv"
check "params --csv neutralises a formula in a source, and keeps the value a number" \
  grep -Fq "countries.AAA.cadres.nurses.exit_rate,0.035,1/year," "$tmp/params.csv"
check "params --csv: the source starts with an apostrophe" \
  grep -Fq ",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\") <b>z</b>\"," "$tmp/params.csv"
sed -e 's/note: "a break in the series"/note: "+SUM(A1) <img src=x onerror=alert(1)>"/' \
  -e 's/^source: .*/source: "<script>alert(1)<\/script>"/' \
  tests/data/backcast/observed.yaml >"$tmp/observed.yaml"
"$hwfsim" backcast $good --observed "$tmp/observed.yaml" -q -o "$tmp/bc"
check "backcast.csv neutralises a formula in a note" \
  grep -Fq "good,AAA,nurses,2025,1500," "$tmp/bc/backcast.csv"
check "backcast.csv: the note starts with an apostrophe" \
  grep -Fq ",'+SUM(A1) <img src=x onerror=alert(1)>" "$tmp/bc/backcast.csv"
check "validation.md shows the source's HTML as text" \
  grep -Fq -- "- source: &lt;script&gt;alert(1)&lt;/script&gt;" "$tmp/bc/validation.md"
check "validation.md holds no raw HTML from the input" \
  bash -c "! grep -Eq '<(script|img)' '$tmp/bc/validation.md'"
"$hwfsim" sources "$tmp/f.yaml" >"$tmp/sources.md"
check "sources shows a source as text, not a link or HTML" \
  grep -Fq '| `cadres.nurses.exit_rate` | 0.035 | 1/year |  | =HYPERLINK("http://x","y") &lt;b&gt;z&lt;/b&gt; |' "$tmp/sources.md"

finish
