#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs the packages, fetches the sample data,
# builds, checks formatting, and runs the whole test suite with CTest.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/install-deps.sh
scripts/fetch-sample-data.sh
scripts/build.sh
scripts/check-format.sh
ctest --test-dir build --output-on-failure -j "${SAMED2D_TEST_JOBS:-2}"
