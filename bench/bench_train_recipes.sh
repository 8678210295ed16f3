#!/usr/bin/env bash
# Training that learns on a budget (a timed CLI run): the `fast` and `paper`
# recipes side by side, same data, same steps, same threads, on a 1500-sample
# default dataset at 128^2 with the `small` preset. Prints, per recipe, the
# wall time, the validation curve (NME, foreground mIoU, depth L1 every
# --val-every steps, with the wall time at that step) and the first step at
# which the target (held-out NME <= 0.08 and mIoU >= 0.6) is met, then scores
# the final weights with `synthforge eval --split val`.
# Usage: bench/bench_train_recipes.sh [build-dir] [epochs] [threads] [recipes...]
# SYNTHFORGE_TRAIN_EXTRA="--w-dice 1" adds options to every run (printed).
set -euo pipefail
build="${1:-build}"
epochs="${2:-12}"
threads="${3:-2}"
shift $(( $# > 3 ? 3 : $# )) || true
recipes=("$@")
[ ${#recipes[@]} -eq 0 ] && recipes=(fast paper)
cli="$build/app/synthforge"
work="${SYNTHFORGE_BENCH_DIR:-$(mktemp -d)}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
extra="${SYNTHFORGE_TRAIN_EXTRA:-}"
echo "work: $work; epochs $epochs, threads $threads, batch 8, size 128, small${extra:+, extra: $extra}"
if [ ! -f "$work/ds/manifest.json" ]; then
  "$cli" generate --count 1500 --size 128 --seed 0 --out "$work/ds" --progress none >/dev/null
fi
for recipe in "${recipes[@]}"; do
  run="$work/run_$recipe${extra:+_$(echo "$extra" | tr -c 'a-z0-9' '_')}"
  rm -rf "$run"
  start=$(date +%s.%N)
  "$cli" train --recipe "$recipe" --data "$work/ds" --out "$run" --size 128 --batch 8 --epochs "$epochs" \
    --val-every 100 --threads "$threads" --progress none $extra >/dev/null
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc -l)
  steps=$(tail -n 1 "$run/metrics.csv" | cut -d, -f1)
  echo "== $recipe: $steps steps in $(printf %.1f "$wall") s ($(echo "$wall / $steps * 1000" | bc -l | xargs printf %.0f) ms/step, validation included)"
  echo "step  minutes  val_nme  val_miou  val_depth_l1"
  # Columns: step,...,val_total,val_nme,val_miou,val_depth_l1 are the last four.
  awk -F, -v wall="$wall" -v steps="$steps" 'NR > 1 && $(NF-2) != "" {
      printf "%5d  %7.2f  %7.4f  %8.4f  %12.4f\n", $1, wall * $1 / steps / 60, $(NF-2), $(NF-1), $NF
      if (!hit && $(NF-2) <= 0.08 && $(NF-1) >= 0.6) { hit = $1 }
    } END {
      if (hit) printf "target met at step %d (%.2f min)\n", hit, wall * hit / steps / 60
      else print "target not met"
    }' "$run/metrics.csv"
  "$cli" eval --model "$run" --data "$work/ds" --split val --threads "$threads" --progress none --json "$run/eval_val.json" |
    grep -E "NME|mean|depth" | head -4
done
