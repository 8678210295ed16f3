#!/usr/bin/env bash
# The Stage I training step in C++ (bench/bench_train_step, LibTorch) against
# the same network stepped by PyTorch (tools/bench_train_step.py), side by
# side in one run under the same conditions: same preset, size, batch and
# thread count, and the same glibc allocator settings for both processes.
#
# The C++ benchmark runs with SYNTHFORGE_BENCH_SYSTEM_MALLOC=1, so it makes no
# mallopt() call of its own; both sides then get their allocator behaviour
# from GLIBC_TUNABLES alone:
#   defaults  glibc as installed (mmap for large blocks, heap trimmed)
#   retain    what `synthforge train` sets with mallopt (core/jobs/memory_policy.h):
#             no mmap, no trimming, heap grown in 256 MiB steps
# Rounds alternate the two sides, so drift in the machine's speed hits both.
# Prints each step time, then min and median per side and setting, and the
# C++/PyTorch ratio of the medians.
#
# SYNTHFORGE_BENCH_PRECISION=bf16 (autocast) and SYNTHFORGE_BENCH_ZERO_GRAD=fill
# (zero-filled rather than dropped gradients) apply to both sides alike.
# Usage: bench/compare_train_step.sh [build-dir] [rounds] [preset] [size]
set -euo pipefail
build="${1:-build}"
rounds="${2:-3}"
preset="${3:-small}"
size="${4:-256}"
cxx="$build/bench/bench_train_step"
py=/usr/bin/python3
threads="${SYNTHFORGE_BENCH_THREADS:-1}"
[ -x "$cxx" ] || { echo "compare_train_step: $cxx not built" >&2; exit 1; }
"$py" -c 'import torch' 2>/dev/null || { echo "compare_train_step: python3-torch is not installed" >&2; exit 1; }

declare -A tunables=(
  [defaults]=""
  [retain]="glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4611686018427387904:glibc.malloc.top_pad=268435456"
)
steps=5
[ "$preset" = reference ] && steps=2
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "preset $preset, ${size}x${size}, batch 8, $threads thread(s), $rounds rounds of $steps steps per side and setting, precision ${SYNTHFORGE_BENCH_PRECISION:-fp32}, gradients ${SYNTHFORGE_BENCH_ZERO_GRAD:-none}"
for setting in defaults retain; do
  for r in $(seq 1 "$rounds"); do
    ms=$(env GLIBC_TUNABLES="${tunables[$setting]}" SYNTHFORGE_BENCH_SYSTEM_MALLOC=1 SYNTHFORGE_BENCH_THREADS="$threads" \
           SYNTHFORGE_BENCH_SIZE="$size" "$cxx" --benchmark_filter="^netStep/$preset/" --benchmark_format=csv 2>/dev/null |
         awk -F, '/^"?netStep/ {print $3}')
    echo "$setting c++ $ms" | tee -a "$out"
    ms=$(env GLIBC_TUNABLES="${tunables[$setting]}" "$py" tools/bench_train_step.py --preset "$preset" --steps "$steps" \
           --threads "$threads" --size "$size" | sed -E 's/.*: ([0-9.]+) ms\/step.*/\1/')
    echo "$setting pytorch $ms" | tee -a "$out"
  done
done
echo "== summary (ms per step)"
"$py" - "$out" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if len(line.split()) == 3]
for setting in ("defaults", "retain"):
    med = {}
    for side in ("c++", "pytorch"):
        v = sorted(float(r[2]) for r in rows if r[0] == setting and r[1] == side)
        if not v:
            continue
        med[side] = statistics.median(v)
        spread = 100 * (v[-1] - v[0]) / med[side]
        print(f"{setting:8} {side:7} min {v[0]:9.1f}  median {med[side]:9.1f}  spread {spread:4.1f}%  (n={len(v)})")
    if len(med) == 2:
        print(f"{setting:8} c++/pytorch median ratio {med['c++'] / med['pytorch']:.3f}")
PY
