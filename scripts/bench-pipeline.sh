#!/usr/bin/env bash
# Measures whole conversions: wall time, images and masks per second, peak memory, for several
# thread counts, on (1) the Colin27/AAL sample and (2) synthetic abdominal CTs (4 cases of
# 512x512x160 int16, written once into bench-data/ by build/tests/make_bench_data).
# Usage: scripts/bench-pipeline.sh [THREADS...]   (default: 1 2)
# Columns: best and median wall time, user and system CPU of the median run, files written,
# images per second (median), peak memory.
# Each configuration runs SAMED2D_BENCH_REPS times (default 5) after a sync, each into a new
# folder; the median wall time is reported. Folders are deleted only at the end: on ext4,
# creating files right after deleting thousands is several times slower (ext4 looks for inodes
# that were not recently deleted), which would measure the file system, not samed2d.
# Needs a build (scripts/build.sh) and the sample data (scripts/fetch-sample-data.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
bin=build/app/samed2d
data=${SAMED2D_BENCH_DATA:-"$repo/bench-data"}
if [ ! -f "$data/.complete" ]; then
  mkdir -p "$data"
  build/tests/make_bench_data "$data" 4 512 512 160 >/dev/null
  touch "$data/.complete"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-12s %7s %7s %8s %6s %6s %7s %6s %9s %6s\n' dataset threads best_s median_s user_s \
  sys_s images masks img_per_s rss_mb
reps=${SAMED2D_BENCH_REPS:-5}
run() {
  local name=$1 config=$2 input=$3 t=$4
  : >"$tmp/times"
  for r in $(seq "$reps"); do
    out="$tmp/out-$name-$t-$r"
    sync
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$bin" convert --config "$config" --input "$input" \
      --output "$out" --threads "$t" --quiet >"$tmp/summary"
    cat "$tmp/time" >>"$tmp/times"
  done
  read -r wall rss user sys < <(sort -n "$tmp/times" | sed -n "$(((reps + 1) / 2))p")
  read -r best _ < <(sort -n "$tmp/times" | head -n 1)
  local images masks
  images=$(find "$out/images" -type f | wc -l)
  masks=$(find "$out/masks" -type f | wc -l)
  printf '%-12s %7s %7s %8s %6s %6s %7s %6s %9.1f %6d\n' "$name" "$t" "$best" "$wall" "$user" \
    "$sys" "$images" "$masks" "$(awk -v i="$images" -v w="$wall" 'BEGIN{print (w > 0 ? i / w : 0)}')" \
    "$((rss / 1024))"
}
for t in "${threads[@]}"; do run Colin27_AAL Colin27_AAL sample-data/colin27 "$t"; done
for t in "${threads[@]}"; do run SyntheticCT "$data/config.json" "$data" "$t"; done
