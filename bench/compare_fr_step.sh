#!/usr/bin/env bash
# The face-recognition training step in C++ (bench/bench_fr_step, LibTorch)
# against the same step in PyTorch (tools/bench_fr_step.py, the twin of
# tools/synthforge_fr_nets.py), side by side in one run: same preset, batch,
# thread count and glibc allocator (defaults on both sides: the C++ bench
# sets none). Rounds alternate the two sides so drift hits both. Prints each
# round's mean step time, then min and median per side and their ratio.
# Usage: bench/compare_fr_step.sh [build-dir] [rounds] [preset]
set -euo pipefail
build="${1:-build}"
rounds="${2:-3}"
preset="${3:-ir18}"
cxx="$build/bench/bench_fr_step"
py=/usr/bin/python3
[ -x "$cxx" ] || { echo "compare_fr_step: $cxx not built" >&2; exit 1; }
. "$(dirname "$0")/side_by_side_stats.sh"
needs_torch compare_fr_step
machine_line
echo "preset $preset, 112x112, batch ${SYNTHFORGE_BENCH_BATCH:-16}, ${SYNTHFORGE_BENCH_THREADS:-1} thread(s), $rounds rounds"
c=(); p=()
for r in $(seq "$rounds"); do
  ms=$("$cxx" --benchmark_filter="frStep/$preset/" --benchmark_format=csv 2>/dev/null | awk -F, '/frStep/ {print $3}')
  c+=("$ms"); echo "round $r C++     $ms ms"
  ms=$("$py" "$(dirname "$0")/../tools/bench_fr_step.py" --preset "$preset" | awk '{print $3}')
  p+=("$ms"); echo "round $r PyTorch $ms ms"
done
echo "C++:     $(stats "${c[@]}") ms"
echo "PyTorch: $(stats "${p[@]}") ms"
echo "C++/PyTorch median ratio: $(ratio "${c[*]}" "${p[*]}")"
