#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the benchmarks need.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libinsighttoolkit5-dev   # ITK 5.2: NIfTI, MetaImage, NRRD, PNG, JPEG, BMP, TIFF, GDCM IO
  libtbb-dev               # oneTBB flow graph
  nlohmann-json3-dev libfmt-dev libpng-dev libjpeg-dev zlib1g-dev libcli11-dev
  libdeflate-dev           # .nii.gz decoding and PNG image compression
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format
  clang libclang-rt-14-dev # clang 14 and its libFuzzer + sanitizer runtimes (scripts/fuzz.sh)
  time                     # peak memory in scripts/bench-pipeline.sh
  chromium fonts-dejavu-core  # headless: a test renders the report page in a real browser
  python3 python3-opencv   # a test reads `export sam-med2d` files the way SAM-Med2D's loaders do
  libstb-dev pngcheck      # PNG tests: a second decoder (stb_image) and the reference checker
  python3-nibabel          # scripts/bench-peer.sh: the NumPy + OpenCV peer reads NIfTI with it
  slurm-wlm munge          # scripts/slurm/one-node-test.sh: a one-node Slurm cluster runs shards
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
