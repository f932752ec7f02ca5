#!/usr/bin/env bash
# hwfsim mc under mpirun, as a cluster user runs it: results byte-identical to one process for
# 1, 2 and 3 ranks, with exact quantiles and with sketches (and --save-runs); a 2-rank job killed
# part way and resumed gives the uninterrupted results; sensitivity indices on 2 and 3 ranks equal
# one process's;
# resuming with another seed or scenario is refused. Usage (from the source root):
#   mpi_test.sh /path/to/hwfsim /path/to/mpirun
# (ctest sets OMPI_ALLOW_RUN_AS_ROOT and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM for mpirun as root.)
set -u
hwfsim=$(realpath "$1")
mpirun=$2
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
scenario=scenarios/two-countries-uncertainty.yaml
files="quantiles.csv corridor_quantiles.csv probabilities.csv samples.csv"
same() {  # same DIR_A DIR_B: every statistics file byte-identical
  for f in $files; do cmp -s "$1/$f" "$2/$f" || return 1; done
}
mpi() { "$mpirun" --oversubscribe -n "$@"; }
# OpenMPI's shared-memory files go to the test's folder: the killed job's are removed with it.
export OMPI_MCA_btl_vader_backing_directory="$tmp"

# One process, then 1, 2 and 3 ranks (one thread each, so that the ranks share the 2 cores).
"$hwfsim" mc $scenario --samples 600 --threads 1 -q -o "$tmp/one" || { echo "one-process run failed"; exit 1; }
for n in 1 2 3; do
  if mpi $n "$hwfsim" mc $scenario --samples 600 --threads 1 --chunk-runs 25 -q -o "$tmp/ranks$n" \
      && same "$tmp/one" "$tmp/ranks$n"; then
    ok "$n rank(s): quantile files byte-identical to one process"
  else
    bad "$n rank(s): quantile files differ from one process"
  fi
  [[ ! -e "$tmp/ranks$n/checkpoint" ]] || bad "$n rank(s): the checkpoint was left behind"
done

# Age bands: the stocks by band (age_quantiles.csv) and runs.nc are byte-identical too.
ages=tests/data/good/scenario_ages_uncertainty.yaml
"$hwfsim" mc $ages --samples 60 --threads 1 --save-runs -q -o "$tmp/ages1" || bad "age-band run failed"
if mpi 2 "$hwfsim" mc $ages --samples 60 --threads 1 --chunk-runs 7 --save-runs -q -o "$tmp/ages2" \
    && same "$tmp/ages1" "$tmp/ages2" && cmp -s "$tmp/ages1/age_quantiles.csv" "$tmp/ages2/age_quantiles.csv" \
    && cmp -s "$tmp/ages1/runs.nc" "$tmp/ages2/runs.nc"; then
  ok "2 ranks with age bands: statistics, age_quantiles.csv and runs.nc byte-identical to one process"
else
  bad "2 ranks with age bands differ from one process"
fi

# Beyond --memory: quantile sketches, summarized per block of runs and merged in block order
# whatever the ranks.
"$hwfsim" mc $scenario --samples 3000 --memory 40 -q -o "$tmp/sketch1" || bad "sketch run failed"
if mpi 2 "$hwfsim" mc $scenario --samples 3000 --memory 40 --threads 1 -q -o "$tmp/sketch2" \
    && same "$tmp/sketch1" "$tmp/sketch2" && grep -q '"KLL sketch' "$tmp/sketch2/run.json"; then
  ok "2 ranks with quantile sketches: byte-identical to one process"
else
  bad "2 ranks with quantile sketches differ from one process"
fi
# Sketches and --save-runs: the ranks send their runs' values too; runs.nc is the same file.
"$hwfsim" mc $scenario --samples 5000 --memory 80 --save-runs --save-indicators supply -q \
  -o "$tmp/saved1" || bad "sketches with --save-runs failed"
if mpi 2 "$hwfsim" mc $scenario --samples 5000 --memory 80 --save-runs --save-indicators supply \
    --threads 1 -q -o "$tmp/saved2" && same "$tmp/saved1" "$tmp/saved2" \
    && cmp -s "$tmp/saved1/runs.nc" "$tmp/saved2/runs.nc" && grep -q '"KLL sketch' "$tmp/saved2/run.json"; then
  ok "2 ranks with sketches and --save-runs: statistics and runs.nc byte-identical to one process"
else
  bad "2 ranks with sketches and --save-runs differ from one process"
fi

# Kill a 2-rank job after its first checkpoint (SIGKILL to mpirun and every rank), resume it.
runs=30000
"$hwfsim" mc $scenario --samples $runs --memory 40 -q -o "$tmp/whole" || bad "uninterrupted run failed"
setsid "$mpirun" --oversubscribe -n 2 "$hwfsim" mc $scenario --samples $runs --memory 40 \
  --threads 1 --chunk-runs 2048 --checkpoint-interval 0.2 -q -o "$tmp/killed" &
job=$!
for _ in $(seq 1 600); do  # up to 60 s for a state save and a chunk beyond it
  if [[ -e "$tmp/killed/checkpoint/state.bin" ]] && ls "$tmp/killed/checkpoint" | grep -q '^chunk-'; then
    break
  fi
  sleep 0.1
done
kill -9 -- -$job 2>/dev/null
pkill -9 -f -- "-o $tmp/killed" 2>/dev/null  # ranks outside mpirun's process group too
wait $job 2>/dev/null
for _ in $(seq 1 50); do pgrep -f -- "-o $tmp/killed" >/dev/null || break; sleep 0.1; done
if [[ -e "$tmp/killed/checkpoint/state.bin" && ! -e "$tmp/killed/quantiles.csv" ]]; then
  ok "killed part way, after a checkpoint ($(ls "$tmp/killed/checkpoint" | wc -l) files saved)"
else
  bad "the kill did not land part way: $(ls "$tmp/killed" "$tmp/killed/checkpoint" 2>&1 | tr '\n' ' ')"
fi

# Resuming with another seed or another scenario is refused, and changes nothing.
before=$(ls "$tmp/killed/checkpoint" | sort | md5sum)
sed 's/seed: 20261125/seed: 7/' $scenario > "$tmp/other-seed.yaml"
sed -i "s|extends: |extends: $PWD/scenarios/|" "$tmp/other-seed.yaml"
expect "resume with another seed refused (exit 1)" 1 \
  "holds the checkpoint of another study: seed is 20261125 there and 7 here" -- \
  "$hwfsim" mc "$tmp/other-seed.yaml" --samples $runs --memory 40 --chunk-runs 2048 \
  --resume "$tmp/killed"
expect "resume with other samples refused (exit 1)" 1 \
  "samples is $runs there and $((runs + 1)) here" -- \
  "$hwfsim" mc $scenario --samples $((runs + 1)) --memory 40 --chunk-runs 2048 \
  --resume "$tmp/killed"
cp $scenario "$tmp/changed.yaml"
sed -i "s|extends: |extends: $PWD/scenarios/|; s/max: 2.5}/max: 2.4}/" "$tmp/changed.yaml"
expect "resume with a changed scenario file refused (exit 1)" 1 \
  "SHA-256 of scenario 1's input files is" -- \
  "$hwfsim" mc "$tmp/changed.yaml" --samples $runs --memory 40 --chunk-runs 2048 \
  --resume "$tmp/killed"
[[ $(ls "$tmp/killed/checkpoint" | sort | md5sum) == "$before" ]] || bad "a refused resume changed the checkpoint"
expect "a new run into the checkpoint's folder is refused (exit 3) and points to --resume" 3 \
  "holds the checkpoint of an unfinished Monte Carlo run.*--resume" -- \
  "$hwfsim" mc $scenario --samples $runs --memory 40 -q -o "$tmp/killed"

# The resume: 2 ranks again, and the result of the uninterrupted run, byte for byte.
if mpi 2 "$hwfsim" mc $scenario --samples $runs --memory 40 --threads 1 --chunk-runs 2048 -q \
    --resume "$tmp/killed" && same "$tmp/whole" "$tmp/killed"; then
  ok "the resumed 2-rank job gives byte-identical results to an uninterrupted run"
else
  bad "the resumed job's results differ from an uninterrupted run"
fi
[[ ! -e "$tmp/killed/checkpoint" ]] && ok "the checkpoint is removed once the results are written" \
  || bad "the checkpoint is still there after the resume"

# hwfsim sensitivity: the ranks share the design's runs; indices byte-identical to one process.
sens="--base-samples 64 --bootstrap 100 --threads 1 -q"
"$hwfsim" sensitivity $scenario $sens -o "$tmp/sens1" || bad "one-process sensitivity failed"
for n in 2 3; do
  if mpi $n "$hwfsim" sensitivity $scenario $sens -o "$tmp/sens-ranks$n" \
      && cmp -s "$tmp/sens1/indices.csv" "$tmp/sens-ranks$n/indices.csv" \
      && cmp -s "$tmp/sens1/convergence.csv" "$tmp/sens-ranks$n/convergence.csv"; then
    ok "$n ranks: sensitivity indices and convergence byte-identical to one process"
  else
    bad "$n ranks: sensitivity indices differ from one process"
  fi
done
finish
