# Sourced by the bench/compare_*.sh scripts: min and median of a list of
# timings, and the ratio of two sides' medians.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
stats() { printf 'min %.1f median %.1f' "$(printf '%s\n' "$@" | sort -g | head -1)" "$(median "$@")"; }
ratio() { awk -v a="$(median $1)" -v b="$(median $2)" 'BEGIN {printf "%.2f", a / b}'; }
# The machine line every comparison starts with; needs_torch NAME exits when python3-torch is missing.
machine_line() { echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"; }
needs_torch() { /usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "$1: python3-torch is not installed" >&2; exit 1; }; }
