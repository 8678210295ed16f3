#!/usr/bin/env bash
# Guided sampler throughput at 256^2, side by side in one run: i.i.d.
# against guided scored by the run's landmark NME and by its loss
# (`--guide-score`), the same count, seed, workers and run. The run is a
# `small` Stage I run at 256^2 after one optimiser step: its weights do not
# matter for speed, its size and preset do. Rounds alternate the three sides.
# Usage: bench/bench_guided_scoring.sh [build-dir] [rounds] [count]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/side_by_side_stats.sh"
build="${1:-build}"
rounds="${2:-3}"
count="${3:-64}"
cli="$build/app/synthforge"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
machine_line
"$cli" generate --count 16 --size 256 --out "$tmp/train" --progress none >/dev/null
"$cli" train --data "$tmp/train" --out "$tmp/run" --preset small --size 256 --batch 8 --epochs 1 \
  --threads 2 --workers 0 --progress none >/dev/null
iid=() nme=() loss=()
timed() {  # seconds of one generate run with the extra arguments given
  local out="$tmp/out"
  rm -rf "$out"
  local t0 t1
  t0=$(date +%s.%N)
  "$cli" generate --count "$count" --size 256 --seed 1 --workers 2 --out "$out" --progress none "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}'
}
for r in $(seq "$rounds"); do
  iid+=("$(timed)")
  nme+=("$(timed --guide-run "$tmp/run" --guide-device cpu --guide-score nme)")
  loss+=("$(timed --guide-run "$tmp/run" --guide-device cpu --guide-score loss)")
done
echo "$count samples at 256^2, 2 workers, pool 64 / block 16 ($((count * 4)) candidates scored), $rounds rounds"
echo "iid:          $(stats "${iid[@]}") s   (${iid[*]})"
echo "guided nme:   $(stats "${nme[@]}") s   (${nme[*]})"
echo "guided loss:  $(stats "${loss[@]}") s   (${loss[*]})"
awk -v n="$count" -v a="$(median "${nme[@]}")" -v b="$(median "${loss[@]}")" -v i="$(median "${iid[@]}")" \
  'BEGIN {printf "candidates/s (median, i.i.d. time subtracted): nme %.1f, loss %.1f\n", 4 * n / (a - i), 4 * n / (b - i)}'
