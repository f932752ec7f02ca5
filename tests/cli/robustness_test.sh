#!/usr/bin/env bash
# Outputs are never lost or half-written: runs killed at random moments, a full disk, a folder
# that cannot be created. Usage: robustness_test.sh /path/to/hwfsim (from the source root).
set -u
hwfsim=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
scenario=scenarios/flagship.yaml

# A reference run, and how long a run takes here.
start=$(date +%s%N)
"$hwfsim" run $scenario -o "$tmp/ref" -q || { echo "reference run failed"; exit 1; }
ms=$(( ($(date +%s%N) - start) / 1000000 + 5 ))

# Kill runs at random moments; every file left must be a complete copy of the reference.
kills=40
partial=0
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
    if [[ $name != run.json ]] && ! cmp -s "$f" "$tmp/ref/$name"; then
      partial=$((partial + 1))
      echo "  after kill $i: $name differs from a complete file"
    fi
  done
done
if [[ $partial -eq 0 ]]; then ok "$kills runs killed at random: no partial file"; else bad "partial files after kills"; fi

# A later run cleans what killed runs left and completes.
if "$hwfsim" run $scenario -o "$tmp/out" --force -q && [[ -z $(ls -A "$tmp/out" | grep '^\.') ]] \
   && cmp -s "$tmp/out/indicators.csv" "$tmp/ref/indicators.csv"; then
  ok "a run after the kills leaves complete files and no temporaries"
else
  bad "a run after the kills leaves complete files and no temporaries"
fi

# A full disk (simulated by a file-size limit): a clear error, and no partial or temporary file.
out=$( (trap '' XFSZ; ulimit -f 64; "$hwfsim" run $scenario -o "$tmp/full") 2>&1 )
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

finish
