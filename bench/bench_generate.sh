#!/usr/bin/env bash
# End-to-end dataset generation throughput (a timed CLI run, not a unit
# benchmark): `synthforge generate` on the built-in default head at 256^2 and
# 512^2 with every annotation written, plus peak memory for two counts (it
# must stay flat as N grows). Prints the CLI's per-stage breakdown.
# Usage: bench/bench_generate.sh [build-dir] [count]
set -euo pipefail
build="${1:-build}"
count="${2:-1000}"
cli="$build/app/synthforge"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
for size in 256 512; do
  echo "== $count samples at ${size}x${size} (synthforge layout, seg + depth + annotations)"
  /usr/bin/time -f "peak RSS %M KB, wall %e s" "$cli" generate --count "$count" --size "$size" \
    --out "$tmp/ds$size" --progress none
  echo "   disk: $(du -sh "$tmp/ds$size" | cut -f1)"
  rm -rf "$tmp/ds$size"
done
echo "== $count samples at 512x512 with --normals (every annotation: seg + depth + normals + annotations)"
/usr/bin/time -f "peak RSS %M KB, wall %e s" "$cli" generate --count "$count" --size 512 --normals \
  --out "$tmp/normals" --progress none
rm -rf "$tmp/normals"
echo "== 512x512 with --normals and the FaceSynthetics + 300W exports"
/usr/bin/time -f "peak RSS %M KB, wall %e s" "$cli" generate --count "$count" --size 512 --normals \
  --formats synthforge,facesynthetics,300w --out "$tmp/all" --progress none
rm -rf "$tmp/all"
echo "== memory: 200 vs $count samples at 512x512"
/usr/bin/time -f "200 samples: peak RSS %M KB" "$cli" generate --count 200 --out "$tmp/m1" --progress none >/dev/null
