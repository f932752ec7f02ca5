#!/usr/bin/env bash
# Strong scaling of MPI ensembles on this machine (world-20): exact quantiles (2,400 runs by
# default), then quantile sketches (32,768 runs: sixteen chunks of one block), then what rank 0
# pays per run.
# Usage: benchmarks/cluster_scaling.sh [RUNS] [SKETCH_RUNS]  (after a release build)
set -euo pipefail
bench=${BENCH:-build/release/benchmarks/hwf_cluster_bench}
runs=${1:-2400}
sketch_runs=${2:-32768}
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
# --bind-to none: mpirun binds each of up to 2 ranks to one core by default, which would keep a
# rank's second thread on its first thread's core.
rate() {  # ranks threads runs [--sketch]
  local line
  line=$(mpirun --bind-to none -n "$1" "$bench" "$2" "${@:3}")
  echo "$line" >&2
  sed -n 's/.* \([0-9.]*\) runs\/s.*/\1/p' <<<"$line"
}
scaling() {  # runs [--sketch]
  local one two_ranks two_threads
  one=$(rate 1 1 "$@")
  two_ranks=$(rate 2 1 "$@")
  two_threads=$(rate 1 2 "$@")
  awk -v a="$one" -v b="$two_ranks" -v c="$two_threads" 'BEGIN {
    printf "speed-up, 2 ranks x 1 thread : %.2f (goal >= 1.8: %s)\n", b / a, (b / a >= 1.8) ? "met" : "NOT met"
    printf "speed-up, 1 rank x 2 threads : %.2f\n", c / a }'
}
scaling "$runs"
scaling "$sketch_runs" --sketch
"$bench" --merge
