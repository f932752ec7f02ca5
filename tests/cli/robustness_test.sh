#!/usr/bin/env bash
# Outputs are never lost or half-written: runs killed at random moments, a full disk, a folder
# that cannot be created, the user's files beside the results, two runs into one folder.
# Usage: robustness_test.sh /path/to/hwfsim (from the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
scenario=scenarios/flagship.yaml

# A reference run, and how long a run takes here.
start=$(date +%s%N)
"$hwfsim" run $scenario -o "$tmp/ref" -q || { echo "reference run failed"; exit 1; }
ms=$(( ($(date +%s%N) - start) / 1000000 + 5 ))

# Kill runs at random moments; every file left must be a complete copy of the reference, and the
# folder passes for one run's (files.sha256 verifies) or is refused by report (no files.sha256).
kills=40
partial=0
mixed=0
unlisted=0
for i in $(seq 1 $kills); do
  "$hwfsim" run $scenario -o "$tmp/out" --force -q &
  pid=$!
  sleep "$(awk -v r=$RANDOM -v ms=$ms 'BEGIN { printf "%.4f", (r / 32768) * ms / 1000 }')"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  [[ -d "$tmp/out" ]] || continue
  for f in "$tmp"/out/*; do
    [[ -e $f ]] || continue
    name=$(basename "$f")
    if [[ $name != run.json && $name != files.sha256 ]] && ! cmp -s "$f" "$tmp/ref/$name"; then
      partial=$((partial + 1))
      echo "  after kill $i: $name differs from a complete file"
    fi
  done
  if [[ -e "$tmp/out/files.sha256" ]]; then
    if ! (cd "$tmp/out" && sha256sum --quiet --strict -c files.sha256 >/dev/null 2>&1); then
      mixed=$((mixed + 1))
      echo "  after kill $i: files.sha256 does not match the files"
    fi
  elif [[ -e "$tmp/out/run.json" ]]; then
    unlisted=$((unlisted + 1))
    if "$hwfsim" report "$tmp/out" -q 2>/dev/null; then
      mixed=$((mixed + 1))
      echo "  after kill $i: report accepted a folder without files.sha256"
    fi
  fi
done
if [[ $partial -eq 0 ]]; then ok "$kills runs killed at random: no partial file"; else bad "partial files after kills"; fi
if [[ $mixed -eq 0 ]]; then
  ok "$kills runs killed at random: each folder is one run's or refused by report ($unlisted refused)"
else
  bad "mixed folders after kills"
fi

# A later run cleans what killed runs left and completes.
if "$hwfsim" run $scenario -o "$tmp/out" --force -q && [[ -z $(ls -A "$tmp/out" | grep '^\.') ]] \
   && cmp -s "$tmp/out/indicators.csv" "$tmp/ref/indicators.csv"; then
  ok "a run after the kills leaves complete files and no temporaries"
else
  bad "a run after the kills leaves complete files and no temporaries"
fi

# A full disk (simulated by a file-size limit): a clear error, and no partial or temporary file.
out=$( (ulimit -f 64; "$hwfsim" run $scenario -o "$tmp/full") 2>&1 )
rc=$?
if [[ $rc -eq 1 && $out == *"cannot write"*"File too large"* ]]; then ok "a full disk gives a clear error (exit 1)"; else bad "full disk: exit $rc: $out"; fi
if [[ ! -e "$tmp/full" ]]; then
  ok "the full-disk run left nothing behind (no folder, no temporary)"
else
  bad "the full-disk run left: $(ls -A "$tmp/full")"
fi

# A folder that cannot be created.
out=$("$hwfsim" run $scenario -o /proc/hwfsim-cannot-exist 2>&1)
rc=$?
if [[ $rc -eq 1 && $out == *"cannot create folder /proc/hwfsim-cannot-exist"* ]]; then
  ok "an uncreatable folder gives a clear error (exit 1)"
else
  bad "uncreatable folder: exit $rc: $out"
fi

# The user's files that look like temporaries are theirs: kept, and they make the folder non-empty.
small=scenarios/two-countries.yaml
mkdir -p "$tmp/look"
echo "chapter 3" >"$tmp/look/.thesis.tmp20241231"
echo "budget" >"$tmp/look/.budget.xlsx.tmpbackup01"
echo "left by a killed run" >"$tmp/look/.indicators.csv.tmp1a2b3c4d"
expect "a folder with the user's look-alike temporaries is not empty (exit 3)" 3 "already holds results" -- \
  "$hwfsim" run $small -o "$tmp/look" -q
"$hwfsim" run $small -o "$tmp/look" --force -q
check "a forced run keeps the user's look-alikes and removes hwfsim's own leftover only" \
  bash -c "[[ \$(cat '$tmp/look/.thesis.tmp20241231') == 'chapter 3' && \$(cat '$tmp/look/.budget.xlsx.tmpbackup01') == budget && ! -e '$tmp/look/.indicators.csv.tmp1a2b3c4d' ]]"

# mc --save-runs creates its temporary exclusively: a symbolic link planted under the old fixed
# name is not followed.
mkdir -p "$tmp/nc"
echo precious >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/nc/.runs.nc.tmp00000000"
"$hwfsim" mc scenarios/two-countries-uncertainty.yaml --samples 20 --save-runs -o "$tmp/nc" -q
check "--save-runs does not write through a link planted as its temporary" \
  bash -c "[[ \$(cat '$tmp/victim') == precious ]]"
check "runs.nc is written in the folder (20 runs) and the planted link removed" \
  bash -c "ncdump -h '$tmp/nc/runs.nc' | grep -q 'run = 20' && [[ ! -L '$tmp/nc/.runs.nc.tmp00000000' ]]"

# Under a file-size limit, mc --save-runs fails the same way: exit 1, nothing left.
out=$( (ulimit -f 64; "$hwfsim" mc scenarios/two-countries-uncertainty.yaml --samples 200 --save-runs -o "$tmp/fullnc") 2>&1 )
rc=$?
if [[ $rc -eq 1 && $out == *"cannot write"*"runs.nc"* && ! -e "$tmp/fullnc" ]]; then
  ok "a full disk under mc --save-runs: exit 1, runs.nc named, nothing left"
else
  bad "full disk under --save-runs: exit $rc: $out; left: $(ls -A "$tmp/fullnc" 2>&1)"
fi

# Folder names: empty, a symbolic link to nothing; input file names that are not UTF-8.
mkdir -p "$tmp/cwd"
expect "-o \"\" is refused (exit 2), not taken for the default folder" 2 "output: a folder name is needed" -- \
  bash -c "cd '$tmp/cwd' && '$hwfsim' run '$PWD/$small' -o ''"
check "nothing was written under results/ for -o \"\"" test ! -e "$tmp/cwd/results"
expect "mc --resume \"\" is refused (exit 2)" 2 "resume: a folder name is needed" -- \
  bash -c "cd '$tmp/cwd' && '$hwfsim' mc '$PWD/scenarios/two-countries-uncertainty.yaml' --samples 10 --resume ''"
check "nothing was written under results/ for --resume \"\"" test ! -e "$tmp/cwd/results"
ln -s "$tmp/nowhere/deeper" "$tmp/dangling"
expect "-o naming a symbolic link to nothing says so (exit 1)" 1 \
  "dangling is a symbolic link to .*nowhere/deeper, which does not exist; nothing was written" -- \
  "$hwfsim" run $small -o "$tmp/dangling"
check "nothing was created at the link's target" test ! -e "$tmp/nowhere"
latin1="$tmp/$(printf 'sc\xe9nario.yaml')"
sed "s|^model: \.\./|model: $PWD/|" $small >"$latin1"
expect "an input file name that is not UTF-8 is bad input (exit 2), before the run" 2 \
  "nario.yaml: error: the file's name is not valid UTF-8" -- "$hwfsim" run "$latin1" -o "$tmp/latin1"
check "nothing was written for the non-UTF-8 name" test ! -e "$tmp/latin1"

# One run per folder: files.sha256 lists the run's files, written last; a folder being written is
# locked; report refuses a folder that is not one complete run's.
"$hwfsim" run $small -o "$tmp/one" -q
check "files.sha256 lists indicators.csv, corridors.csv and run.json, and sha256sum -c agrees" \
  bash -c "cd '$tmp/one' && [[ \$(sha256sum --strict -c files.sha256 | tr '\n' ' ') == 'indicators.csv: OK corridors.csv: OK run.json: OK ' ]]"
check "no lock file is left after a run" test ! -e "$tmp/one/.hwfsim.lock"
before=$(cat "$tmp/one/files.sha256")
flock -o "$tmp/one/.hwfsim.lock" sleep 60 &
holder=$!
for _ in $(seq 1 100); do flock -n "$tmp/one/.hwfsim.lock" true || break; sleep 0.05; done
expect "a run into a folder another process is writing is refused (exit 3)" 3 \
  "one is being written by another hwfsim; nothing was written" -- "$hwfsim" run $scenario -o "$tmp/one" --force
expect "report on a folder being written is refused (exit 3)" 3 "is being written by another hwfsim" -- \
  "$hwfsim" report "$tmp/one"
kill $holder
wait $holder 2>/dev/null
check "the refused run changed nothing" bash -c "[[ \$(cat '$tmp/one/files.sha256') == '$before' ]] && cd '$tmp/one' && sha256sum --quiet --strict -c files.sha256"

cp -r "$tmp/one" "$tmp/stopped"
rm "$tmp/stopped/files.sha256" "$tmp/stopped/report.html"
expect "report refuses a folder whose run stopped while writing (no files.sha256, exit 2)" 2 \
  "stopped/files.sha256: error: missing: the folder's files are not known to be one complete run's" -- \
  "$hwfsim" report "$tmp/stopped"
check "report wrote no report.html into it" test ! -e "$tmp/stopped/report.html"
cp -r "$tmp/one" "$tmp/mixed"
cp "$tmp/ref/corridors.csv" "$tmp/mixed/corridors.csv"
expect "report refuses a folder with another run's file (exit 2), naming it" 2 \
  "mixed/files.sha256:2:1: error: corridors.csv is not the file this run wrote" -- "$hwfsim" report "$tmp/mixed"
expect "report accepts a folder of one complete run" 0 "^Report in" -- "$hwfsim" report "$tmp/one"

# Two runs started together into one new folder: one writes it, the other is refused; never both.
other=scenarios/world-compensation.yaml
"$hwfsim" run $scenario -o "$tmp/race" -q 2>"$tmp/race1.err" &
p1=$!
"$hwfsim" run $other -o "$tmp/race" -q 2>"$tmp/race2.err" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "two runs into one new folder: exit codes 0 and 3 ($r1, $r2)" \
  bash -c "[[ '$r1 $r2' == '0 3' || '$r1 $r2' == '3 0' ]]"
one_run() {  # one_run FOLDER: files.sha256 verifies; both tables and run.json name one scenario
  local sc
  (cd "$1" && sha256sum --quiet --strict -c files.sha256) || return 1
  sc=$(tail -n +2 "$1/indicators.csv" | cut -d, -f1 | sort -u)
  [[ -n $sc && $sc == "$(tail -n +2 "$1/corridors.csv" | cut -d, -f1 | sort -u)" ]] &&
    grep -q "^  \"scenario\": \"$sc\"," "$1/run.json"
}
check "the folder holds one run's files (files.sha256, tables and run.json agree)" one_run "$tmp/race"
"$hwfsim" run $scenario -o "$tmp/race2" -q --force 2>/dev/null &
p1=$!
"$hwfsim" run $other -o "$tmp/race2" -q --force 2>/dev/null &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "two forced runs into one folder: each writes it whole or is refused ($r1, $r2)" \
  bash -c "[[ '$r1' =~ ^[03]$ && '$r2' =~ ^[03]$ && '$r1$r2' != 33 ]]"
check "the folder holds one run's files after two forced runs" one_run "$tmp/race2"

finish
