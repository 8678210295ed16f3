#!/usr/bin/env bash
# Data-parallel scaling on one machine (docs/distributed.md): the same
# Stage I run at the same global batch, side by side in one run,
#   one rank   1 process, batch 2B, --threads 2 (torch's intra-op threads)
#   two ranks  `synthforge launch --nproc 2`, batch B each, --threads 1
# on the same dataset, preset, size, seed and number of steps, both with
# synchronised BatchNorm off (the default). Rounds alternate the sides, so
# drift in the machine's speed hits both. Prints each run's wall time, min
# and median per side, and the scaling efficiency = one rank's median /
# two ranks' median (1.0: two processes use the two cores as well as two
# threads do). Wall time includes start-up (loading LibTorch, the
# rendezvous), which is the same on both sides but for the second process.
# Usage: bench/compare_data_parallel.sh [build-dir] [rounds] [preset] [size] [B] [epochs]
set -euo pipefail
build="${1:-build}"
rounds="${2:-3}"
preset="${3:-small}"
size="${4:-128}"
half="${5:-4}"
epochs="${6:-1}"
cli="$build/app/synthforge"
[ -x "$cli" ] || { echo "compare_data_parallel: $cli not built" >&2; exit 1; }
. "$(dirname "$0")/side_by_side_stats.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$cli" generate --count 88 --size "$size" --seed 5 --out "$work/ds" --progress none >/dev/null
common=(--data "$work/ds" --preset "$preset" --size "$size" --epochs "$epochs" --seed 3 --val-fraction 0
        --checkpoint-every 100000 --device cpu --progress none --workers 1)
steps=$(( 88 / (2 * half) * epochs ))
machine_line
echo "Stage I, preset $preset, ${size}x${size}, global batch $((2 * half)), $steps steps per run, $rounds rounds per side"
one=() two=()
for r in $(seq "$rounds"); do
  rm -rf "$work/one" "$work/two"
  s=$(date +%s.%N)
  "$cli" train "${common[@]}" --out "$work/one" --batch $((2 * half)) --threads 2 >/dev/null
  t=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
  one+=("$t")
  s=$(date +%s.%N)
  "$cli" launch --nproc 2 --master-port $((29600 + r)) -- train "${common[@]}" --out "$work/two" --batch "$half" --threads 1 >/dev/null
  t2=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
  two+=("$t2")
  echo "round $r: one rank x 2 threads ${t} s, two ranks x 1 thread ${t2} s"
done
echo "one rank x 2 threads:  $(stats "${one[@]}") s"
echo "two ranks x 1 thread:  $(stats "${two[@]}") s"
echo "scaling efficiency (one / two, medians): $(ratio "${one[*]}" "${two[*]}")"
