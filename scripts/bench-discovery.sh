#!/usr/bin/env bash
# Measures finding the cases of a large source tree: a TotalSegmentator v2-shaped tree of empty
# files (1228 subjects, ct.nii.gz + the 117 mask files each: 144,904 files) is built once in
# bench-data/ts-tree, then `samed2d convert --dataset Totalsegmentator_dataset` runs on it. Every
# case then fails to read its empty ct.nii.gz, so the time is discovery (listing, the per-case
# check of the mask set) plus one failed read per case.
# Usage: scripts/bench-discovery.sh   (needs a build: scripts/build.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tree=${SAMED2D_BENCH_DATA:-"$repo/bench-data"}/ts-tree
if [ ! -f "$tree/.complete" ]; then
  rm -rf "$tree"
  mkdir -p "$tree/Totalsegmentator_dataset_v201"
  # The v2 key list of the bundled config ("versions" -> "v2").
  keys=$(python3 -c 'import json,re,sys; t=open(sys.argv[1]).read(); t=re.sub(r"^\s*//.*$","",t,flags=re.M); print("\n".join(json.loads(t)["versions"]["v2"]))' configs/datasets/Totalsegmentator_dataset.json)
  for s in $(seq -f '%04g' 0 1227); do
    d="$tree/Totalsegmentator_dataset_v201/s$s"
    mkdir -p "$d/segmentations"
    : > "$d/ct.nii.gz"
    (cd "$d/segmentations" && for k in $keys; do : > "$k.nii.gz"; done)
  done
  touch "$tree/.complete"
fi
out=$(mktemp -d)
/usr/bin/time -f 'wall %e s, user %U s, system %S s, peak memory %M KB' \
  build/app/samed2d convert --dataset Totalsegmentator_dataset --input "$tree" \
  --output "$out/o" --quiet >/dev/null 2>"$out/err" || true
tail -1 "$out/err"
grep -c '"reason"' "$out/o/report.json" | sed 's/^/failed cases (expected 1228): /'
rm -rf "$out"
