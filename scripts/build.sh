#!/usr/bin/env bash
# Configures and builds samed2d (release build with debug info, warnings as errors) in build/.
# Usage: scripts/build.sh [extra cmake -D options]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAMED2D_WARNINGS_AS_ERRORS=ON "$@"
# Two jobs: ITK-heavy translation units need about 1.5 GB each.
cmake --build build -j "${SAMED2D_BUILD_JOBS:-2}"
