#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs the packages, fetches the sample data
# (Colin27 T1 + AAL atlas from Debian's mricron-data), builds, converts the sample into
# demo-output/ (or the folder given as the first argument) and writes its report.html.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=${1:-"$repo/demo-output"}
scripts/install-deps.sh
scripts/fetch-sample-data.sh
scripts/build.sh
build/app/samed2d convert --dataset Colin27_AAL --input sample-data/colin27 --output "$out"
build/app/samed2d report "$out" --quiet
echo
echo "demo: images in $out/images, masks in $out/masks, index in $out/SAMed2D_v1.json;"
echo "      open $out/report.html in a browser for the counts and previews of the masks"
