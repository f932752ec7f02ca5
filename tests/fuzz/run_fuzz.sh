#!/usr/bin/env bash
# Runs the loader fuzzer for a bounded time, seeded with the repository's YAML files.
# Usage: run_fuzz.sh FUZZER SECONDS CORPUS_DIR   (from the source root)
set -eu
fuzzer=$1
seconds=$2
corpus=$3
mkdir -p "$corpus"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
i=0
while IFS= read -r f; do
  cp "$f" "$seeds/seed-$i.yaml"
  i=$((i + 1))
done < <(find models scenarios tests/data -name '*.yaml' -size -64k | sort)
echo "fuzzing for $seconds s with $i seed files"
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$corpus" "$seeds"
