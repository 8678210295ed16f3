#!/usr/bin/env bash
# Installs whatever Debian 12 packages are missing (idempotent, non-interactive),
# then configures and builds SynthForge with CMake + Ninja (+ ccache).
# When everything is installed and built already it only checks and returns.
#
# Environment:
#   BUILD_DIR            build directory (default: build)
#   SYNTHFORGE_CMAKE_ARGS extra CMake arguments, e.g. -DSYNTHFORGE_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."

# libopenblas0-pthread: LibTorch's CPU matrix products otherwise go to the
# reference BLAS, ~6x slower (docs/performance.md). libgloo-dev: the Gloo
# headers that c10d's ProcessGroupGloo.hpp includes (docs/distributed.md).
packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libgloo-dev libopenblas0-pthread libeigen3-dev libopencv-dev libassimp-dev libzip-dev libpng-dev
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev libimgui-dev libglm-dev
  python3 python3-numpy python3-scipy python3-protobuf python3-torch
  xvfb xauth libgl1-mesa-dri
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -G Ninja -S . -B "$build_dir" ${SYNTHFORGE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir"
