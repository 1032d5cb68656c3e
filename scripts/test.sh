#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs the packages, fetches the sample data,
# builds, checks formatting, and runs the whole test suite with CTest; then
# scripts/slurm/one-node-test.sh starts a one-node Slurm cluster (slurm-wlm, munge) and runs a
# sharded conversion and its merge through it (SAMED2D_SKIP_SLURM=1 skips it); then it builds
# and runs the suite again under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer
# (build-asan/; SAMED2D_SKIP_SANITIZERS=1 skips that pass, about 8 minutes on 2 cores).
# Last, scripts/fuzz.sh builds the libFuzzer targets (clang, build-fuzz/) and runs each for
# a fixed number of inputs; SAMED2D_SKIP_FUZZ=1 skips it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/install-deps.sh
scripts/fetch-sample-data.sh
scripts/build.sh
scripts/check-format.sh
ctest --test-dir build --output-on-failure -j "${SAMED2D_TEST_JOBS:-2}"
if [ "${SAMED2D_SKIP_SLURM:-0}" != "1" ]; then
  scripts/slurm/one-node-test.sh
fi
if [ "${SAMED2D_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSAMED2D_SANITIZE=ON \
    -DSAMED2D_BUILD_BENCHMARKS=OFF -DSAMED2D_WARNINGS_AS_ERRORS=ON
  cmake --build build-asan -j "${SAMED2D_BUILD_JOBS:-2}"
  ctest --test-dir build-asan --output-on-failure -j "${SAMED2D_TEST_JOBS:-2}"
fi
if [ "${SAMED2D_SKIP_FUZZ:-0}" != "1" ]; then
  scripts/fuzz.sh
fi
