# Sourced by the bench/compare_*.sh scripts: min and median of a list of
# timings, and the ratio of two sides' medians.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
stats() { printf 'min %.1f median %.1f' "$(printf '%s\n' "$@" | sort -g | head -1)" "$(median "$@")"; }
ratio() { awk -v a="$(median $1)" -v b="$(median $2)" 'BEGIN {printf "%.2f", a / b}'; }
