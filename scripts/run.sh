#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs the main job on the
# built-in default head: describe and pose it (mesh, summary, render), then
# generate a 1000-sample dataset with every annotation (resumable: run again
# to finish a stopped run) and render a few samples with overlays and a
# contact sheet. Environment: COUNT (default 1000), BUILD_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir="${BUILD_DIR:-build}"
out="${1:-out/demo}"
mkdir -p "$out"
cli="$build_dir/app/synthforge"

"$cli" head info default
# Neck turned 15 degrees, jaw open 0.2 rad, smile at 1.5 sigma.
pose=0,0,0,0,0.26,0,0.2,0,0,0,0,0,0,0,0
"$cli" head pose default --shape 1.0,-0.5,0.3 --expr 1.5 --pose "$pose" \
  -o "$out/posed.obj" --summary "$out/summary.json"
"$cli" head render default --shape 1.0,-0.5,0.3 --expr 1.5 --pose "$pose" \
  --yaw 20 --size 512 --fov 22 --regions --landmarks -o "$out/posed.png"
"$cli" generate --count "${COUNT:-1000}" --out "$out/dataset" --formats synthforge,facesynthetics,300w --resume
"$cli" render --count 8 --out "$out/render"
echo "main job done: $out/posed.obj, $out/summary.json, $out/posed.png, $out/dataset/, $out/render/contact_sheet.png"
