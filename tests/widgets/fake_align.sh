#!/bin/bash
# A stand-in for `synthforge align` in the studio's tests: writes losses.csv
# one step at a time (each row in two writes, so readers see half lines),
# JSON progress on stderr, and at the end copies a prepared fit into --out.
#   FAKE_ALIGN_FIT    folder with alignment.json/.safetensors to copy (none: no fit)
#   FAKE_ALIGN_DELAY  seconds between steps (default 0.05)
#   FAKE_ALIGN_EXIT   exit code after the steps (default 0; non-zero prints an error)
# SIGINT stops it with exit code 130, as the real command does.
out="" steps=10
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    *) shift ;;
  esac
done
[ -n "$out" ] || { echo "error: --out is required" >&2; exit 2; }
trap 'echo "stopped: nothing written" >&2; exit 130' INT
mkdir -p "$out"
csv="$out/losses.csv"
printf 'step,total,chamfer,density,depth,landmarks\n' > "$csv"
delay="${FAKE_ALIGN_DELAY:-0.05}"
for ((s = 0; s < steps; ++s)); do
  total=$(awk -v s="$s" 'BEGIN { printf "%.6f", 1.0 / (1 + s) + 0.01 }')
  chamfer=$(awk -v s="$s" 'BEGIN { printf "%.6f", 0.5 / (1 + s) }')
  printf '%d,%s,' "$s" "$total" >> "$csv"
  sleep "$delay"
  printf '%s,0.1,0.05,0\n' "$chamfer" >> "$csv"
  printf '{"stage":"align","done":%d,"total":%d}\n' "$((s + 1))" "$steps" >&2
done
if [ "${FAKE_ALIGN_EXIT:-0}" != 0 ]; then
  echo "error: --head: cannot read head model" >&2
  exit "$FAKE_ALIGN_EXIT"
fi
[ -n "$FAKE_ALIGN_FIT" ] && cp "$FAKE_ALIGN_FIT"/alignment.json "$FAKE_ALIGN_FIT"/alignment.safetensors "$out"/
exit 0
