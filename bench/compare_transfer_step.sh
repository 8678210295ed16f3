#!/usr/bin/env bash
# The CycleGAN training step in C++ (bench/bench_transfer_step, LibTorch)
# against the same step in PyTorch (tools/bench_transfer_step.py, the twin
# of tools/synthforge_transfer_nets.py), side by side in one run: same
# networks, size, thread count and glibc allocator (defaults on both sides).
# Rounds alternate the two sides so drift hits both. Prints each round's
# mean step time, then min and median per side and their ratio.
# Usage: bench/compare_transfer_step.sh [build-dir] [rounds] [cyclegan|cut]
set -euo pipefail
build="${1:-build}"
rounds="${2:-3}"
method="${3:-cyclegan}"
case "$method" in cyclegan) filter=cycleGanStep ;; cut) filter=cutStep ;; *) echo "compare_transfer_step: method cyclegan or cut" >&2; exit 1 ;; esac
cxx="$build/bench/bench_transfer_step"
py=/usr/bin/python3
[ -x "$cxx" ] || { echo "compare_transfer_step: $cxx not built" >&2; exit 1; }
. "$(dirname "$0")/side_by_side_stats.sh"
needs_torch compare_transfer_step
machine_line
echo "$method ngf=ndf=64, 9 blocks, ${SYNTHFORGE_BENCH_SIZE:-256}x${SYNTHFORGE_BENCH_SIZE:-256}, batch 1, ${SYNTHFORGE_BENCH_THREADS:-1} thread(s), $rounds rounds"
c=(); p=()
for r in $(seq "$rounds"); do
  ms=$("$cxx" --benchmark_filter="$filter" --benchmark_format=csv 2>/dev/null | awk -F, -v f="$filter" '$0 ~ f {print $3}')
  c+=("$ms"); echo "round $r C++     $ms ms"
  ms=$("$py" "$(dirname "$0")/../tools/bench_transfer_step.py" --method "$method" | awk '{print $3}')
  p+=("$ms"); echo "round $r PyTorch $ms ms"
done
echo "C++:     $(stats "${c[@]}") ms"
echo "PyTorch: $(stats "${p[@]}") ms"
echo "C++/PyTorch median ratio: $(ratio "${c[*]}" "${p[*]}")"
