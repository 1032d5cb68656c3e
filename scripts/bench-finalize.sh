#!/usr/bin/env bash
# What runs once at the end of a whole rebuild, at SA-Med2D-20M scale: finalize (SAMed2D_v1.json,
# the class mapping and report.json rebuilt from the case records) over 4.6 million images and
# 19.7 million masks in 115,000 case records, without any PNG (the records are written once by
# build/tests/finalize_bench make into bench-data/finalize, about 2.5 GB). Prints the time and
# the peak memory (the README's Performance section keeps them).
# With --merge, the same for `samed2d merge` of 3 shards, whose records name empty files (merge
# links every file, so they must exist; default a tenth of the scale: 460,000 images, 1,970,000
# masks, 2.4 million files).
# Usage: scripts/bench-finalize.sh [IMAGES MASKS]
#        scripts/bench-finalize.sh --merge [IMAGES MASKS]       (needs scripts/build.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
if [ "${1:-}" = --merge ]; then
  images=${2:-460000}
  masks=${3:-1970000}
  shards=${SAMED2D_BENCH_DATA:-"$repo/bench-data"}/merge-$images-$masks
  if [ ! -f "$shards/.complete" ]; then
    rm -rf "$shards"
    echo "bench-finalize: writing 3 shards of $images images and $masks masks into $shards (once)"
    build/tests/finalize_bench shards "$shards" 3 "$images" "$masks"
    touch "$shards/.complete"
  fi
  rm -rf "$shards.merged"
  sync
  /usr/bin/time -f 'bench-finalize: merge wall %e s, user %U s, system %S s, peak %M KB' \
    build/app/samed2d merge --output "$shards.merged" "$shards"/shard-*
  rm -rf "$shards.merged"
  exit 0
fi
images=${1:-4600000}
masks=${2:-19700000}
data=${SAMED2D_BENCH_DATA:-"$repo/bench-data"}/finalize-$images-$masks
if [ ! -f "$data/.complete" ]; then
  rm -rf "$data"
  echo "bench-finalize: writing $images images and $masks masks of case records into $data (once)"
  build/tests/finalize_bench make "$data" "$images" "$masks"
  touch "$data/.complete"
fi
sync
/usr/bin/time -f 'bench-finalize: wall %e s, user %U s, system %S s, peak %M KB' \
  build/tests/finalize_bench finalize "$data"
du -sh "$data/.samed2d/cases" | sed 's/^/bench-finalize: case records /'
