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
# Writes the benchmark's input into folder $1 once (a .complete marker says it is whole).
write_once() {
  local dir=$1 what=$2
  shift 2
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    echo "bench-finalize: writing $what into $dir (once)"
    "$@"
    touch "$dir/.complete"
  fi
}
if [ "${1:-}" = --merge ]; then
  images=${2:-460000}
  masks=${3:-1970000}
  shards=${SAMED2D_BENCH_DATA:-"$repo/bench-data"}/merge-$images-$masks
  write_once "$shards" "3 shards of $images images and $masks masks" \
    build/tests/finalize_bench shards "$shards" 3 "$images" "$masks"
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
write_once "$data" "$images images and $masks masks of case records" \
  build/tests/finalize_bench make "$data" "$images" "$masks"
sync
/usr/bin/time -f 'bench-finalize: wall %e s, user %U s, system %S s, peak %M KB' \
  build/tests/finalize_bench finalize "$data"
du -sh "$data/.samed2d/cases" | sed 's/^/bench-finalize: case records /'
