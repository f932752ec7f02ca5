#!/usr/bin/env bash
# Runs a fuzz target for a bounded time.
# Usage: run_fuzz.sh FUZZER SECONDS CORPUS_DIR [yaml|own]   (from the source root)
#   yaml: seeded with the repository's YAML files (the loader)
#   own:  seeded with the inputs the target writes itself from tests/data (HWF_FUZZ_SEEDS)
set -eu
fuzzer=$1
seconds=$2
corpus=$3
seeding=${4:-yaml}
mkdir -p "$corpus"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
if [[ $seeding == own ]]; then
  HWF_FUZZ_SEEDS="$seeds" "$fuzzer"
else
  i=0
  while IFS= read -r f; do
    cp "$f" "$seeds/seed-$i.yaml"
    i=$((i + 1))
  done < <(find models scenarios tests/data -name '*.yaml' -size -64k | sort)
fi
echo "fuzzing for $seconds s with $(ls "$seeds" | wc -l) seed files"
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$corpus" "$seeds"
