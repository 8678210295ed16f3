#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs the main job.
#
# Until the built-in default head lands, the main job works on a small
# FLAME-structured stand-in model that our own script writes in FLAME's exact
# file formats (Python 2 pickle with chumpy/scipy objects, landmark
# embeddings, masks, UV template). It converts that to our .safetensors,
# prints its summary, and writes a posed mesh with UVs plus a JSON summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir="${BUILD_DIR:-build}"
out="${1:-out/demo}"
mkdir -p "$out/flame_standin"
cli="$build_dir/app/synthforge"

/usr/bin/python3 tests/fixtures/make_flame_fixture.py "$out/flame_standin"
"$cli" head convert "$out/flame_standin/generic_model.pkl" \
  --landmarks "$out/flame_standin/flame_static_embedding.pkl" \
  --landmarks "$out/flame_standin/flame_dynamic_embedding.npy" \
  --masks "$out/flame_standin/FLAME_masks.pkl" \
  --uv "$out/flame_standin/head_template.obj" \
  --name "FLAME-structured stand-in" -o "$out/head.safetensors"
# Neck turned 25 degrees, jaw open, a little smile-like expression.
"$cli" head pose "$out/head.safetensors" \
  --shape 1.0,-0.5,0.3 --expr 1.5,0.5 \
  --pose 0,0,0,0,0.436,0,0.25,0,0,0,0,0,0,0,0 \
  -o "$out/posed.obj" --summary "$out/summary.json"
echo "main job done: $out/posed.obj, $out/summary.json"
