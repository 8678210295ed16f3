#!/usr/bin/env bash
# The README's main command: sets up and builds (scripts/setup.sh), then
# launches SynthForge Studio on the built-in default head. With no display
# ($DISPLAY and $WAYLAND_DISPLAY unset: a server, CI, a container) it says how
# to run the studio under a virtual X server and runs the headless main job
# instead (scripts/run.sh: posed mesh, 1000-sample dataset, contact sheet), so
# the command always does real work. Environment: BUILD_DIR, plus those of
# scripts/run.sh (COUNT).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir="${BUILD_DIR:-build}"
studio="$build_dir/app/studio/synthforge-studio"

if [ ! -x "$studio" ]; then
  # setup.sh builds the studio only when CMake found Qt 6.
  echo "studio.sh: $studio was not built (Qt 6 missing?); running the headless job" >&2
  exec scripts/run.sh
fi
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$studio" "$@"
fi
cat <<MSG
studio.sh: no display (\$DISPLAY and \$WAYLAND_DISPLAY are unset), so the studio
cannot open a window here. To see it anyway, render it under a virtual X server:

  xvfb-run -a $studio --screenshot out/studio.png

Everything the studio computes is also available headless through the CLI
($build_dir/app/synthforge render|generate). Running the headless main job now
(scripts/run.sh).
MSG
exec scripts/run.sh
