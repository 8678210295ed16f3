#!/usr/bin/env bash
# Renders the default head figures in docs/images/default_head/ with the CLI
# (neutral views, shape and expression components at +-2 sigma, jaw open).
# Usage: scripts/render_docs.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${1:-build}/app/synthforge"
out=docs/images/default_head
mkdir -p "$out"
r() { "$cli" head render default --size 256 --fov 22 --regions "$@" >/dev/null; }
zeros() { python3 -c "import sys; n=int(sys.argv[1]); k=int(sys.argv[2]); v=sys.argv[3]; print(','.join(v if i==k else '0' for i in range(n)))" "$@"; }

r -o "$out/neutral_front.png"
r --yaw 35 -o "$out/neutral_three_quarter.png"
r --yaw 90 -o "$out/neutral_profile.png"
r --landmarks -o "$out/landmarks_front.png"
r --yaw 25 --pose 0,0,0,0,0,0,0.3,0,0,0,0,0,0,0,0 -o "$out/jaw_open.png"
r --pose 0,0,0,0,0.35,0,0,0,0,0,0,0,0,0,0 --yaw 10 -o "$out/neck_turn.png"
r --pose 0,0,0,0,0,0,0,0,0,0,0.35,0,0,0.35,0 -o "$out/eyes_look_left.png"
for k in 0 1 2 3 4; do
  for s in -2 2; do r --yaw 25 --shape "$(zeros 50 $k $s)" -o "$out/shape${k}_${s}.png"; done
done
i=0
for name in $("$cli" head info default --json | python3 -c "import json,sys; print(' '.join(json.load(sys.stdin)['expression_names']))"); do
  case "$name" in smile|smile_left|frown|brow_raise_inner|blink_left|squint|lip_pucker|mouth_stretch|lip_corners_down|cheek_puff)
    r --expr "$(zeros 23 $i 2)" -o "$out/expr_${name}.png" ;;
  esac
  i=$((i+1))
done
echo "rendered into $out"
