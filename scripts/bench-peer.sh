#!/usr/bin/env bash
# samed2d against its peer, in one run on one machine: the same SPEC done the straightforward way
# with nibabel, NumPy and OpenCV (tests/bench/peer_numpy_opencv.py, one thread), on
#   (1) Colin27 T1 + AAL (sample-data/colin27: 181x217x181, 116 classes, the atlas case) and
#   (2) a synthetic 512x512x600 int16 CT with a 5-organ label map (bench-data/ct600, written once
#       by build/tests/make_bench_data).
# For each data set, round after round (A B C A B C ...): samed2d with 1 thread, samed2d with 2
# threads, the peer. Output goes to a RAM file system, each run into a new folder removed right
# after, so the disk is not what is measured. Reported per tool: median wall time, user and
# system CPU of that run, peak memory, images, masks, images per second, MB written; then the
# ratios, and the floor: the time to only compress and write the same files with the same PNG
# settings (build/tests/png_floor_bench, one thread).
#
# Usage: scripts/bench-peer.sh [ROUNDS]     (default 3; SAMED2D_BENCH_TMP sets the RAM folder,
#                                            default /dev/shm/samed2d-bench; SAMED2D_BIN another
#                                            samed2d binary, e.g. an older build, to compare)
# Needs: scripts/build.sh, scripts/fetch-sample-data.sh, python3 with nibabel and cv2
# (Debian: python3-nibabel python3-opencv; scripts/install-deps.sh installs them).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
rounds=${1:-3}
bin=${SAMED2D_BIN:-build/app/samed2d}
python=/usr/bin/python3
tmp=${SAMED2D_BENCH_TMP:-/dev/shm/samed2d-bench}
data=${SAMED2D_BENCH_DATA:-"$repo/bench-data"}
ct="$data/ct600"

if ! "$python" -c 'import nibabel, cv2, numpy' 2>/dev/null; then
  echo "bench-peer: $python lacks nibabel or cv2; run scripts/install-deps.sh" >&2
  exit 2
fi
if [ ! -f "$ct/.complete" ]; then
  mkdir -p "$ct"
  echo "bench-peer: writing the 512x512x600 CT into $ct (once, about a minute)"
  build/tests/make_bench_data "$ct" 1 512 512 600 >/dev/null
  touch "$ct/.complete"
fi
fs_type=$(stat -f -c %T "$(dirname "$tmp")" 2>/dev/null || echo unknown)
[ "$fs_type" = tmpfs ] || echo "bench-peer: warning: $tmp is on $fs_type, not a RAM file system" >&2
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
  "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo); output on $fs_type"
echo "samed2d: $bin; peer: tests/bench/peer_numpy_opencv.py ($($python -c 'import cv2, numpy, nibabel; print("OpenCV", cv2.__version__, "NumPy", numpy.__version__, "nibabel", nibabel.__version__)'))"

# run NAME TOOL THREADS -> appends "wall user sys rss_kb images masks bytes" to $tmp/NAME-TOOL-THREADS
run() {
  local name=$1 tool=$2 t=$3 out="$tmp/out"
  rm -rf "$out"
  sync
  if [ "$tool" = samed2d ]; then
    case $name in
      atlas) args=(--dataset Colin27_AAL --input sample-data/colin27) ;;
      ct) args=(--config "$ct/config.json" --input "$ct") ;;
    esac
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$bin" convert "${args[@]}" --output "$out" \
      --threads "$t" --quiet >/dev/null
  else
    case $name in
      atlas) args=(--config configs/datasets/Colin27_AAL.json --image sample-data/colin27/ch2.nii.gz
        --label sample-data/colin27/aal.nii.gz --case ch2) ;;
      ct) args=(--config "$ct/config.json" --image "$ct/case_000.nii.gz"
        --label "$ct/case_000_seg.nii.gz" --case case_000) ;;
    esac
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$python" tests/bench/peer_numpy_opencv.py \
      "${args[@]}" --classes configs/classes.json --output "$out" >/dev/null
  fi
  local images masks bytes
  images=$(find "$out/images" -type f | wc -l)
  masks=$(find "$out/masks" -type f | wc -l)
  bytes=$(du -sb "$out/images" "$out/masks" | awk '{s += $1} END {print s}')
  echo "$(cat "$tmp/time") $images $masks $bytes" >>"$tmp/$name-$tool-$t"
  if [ "$tool" = samed2d ] && [ "$t" = 1 ]; then
    rm -rf "$tmp/last-$name"
    mv "$out" "$tmp/last-$name"
  fi
  rm -rf "$out"
}

# The median run (by wall time) of one tool: its fields.
median() {
  sort -n "$tmp/$1" | sed -n "$(((rounds + 1) / 2))p"
}

printf '\n%-6s %-8s %7s %8s %7s %7s %8s %7s %7s %9s %8s\n' data tool threads wall_s user_s sys_s \
  peak_MB images masks images/s MB
for name in atlas ct; do
  for r in $(seq "$rounds"); do
    run "$name" samed2d 1
    run "$name" samed2d 2
    run "$name" peer 1
  done
  for tool_t in samed2d-1 samed2d-2 peer-1; do
    read -r wall user sys rss images masks bytes < <(median "$name-$tool_t")
    printf '%-6s %-8s %7s %8.2f %7.2f %7.2f %8d %7d %7d %9.1f %8.1f\n' "$name" "${tool_t%-*}" \
      "${tool_t#*-}" "$wall" "$user" "$sys" "$((rss / 1024))" "$images" "$masks" \
      "$(awk -v i="$images" -v w="$wall" 'BEGIN {print (w > 0 ? i / w : 0)}')" \
      "$(awk -v b="$bytes" 'BEGIN {print b / 1e6}')"
  done
  read -r s1 _ < <(median "$name-samed2d-1")
  read -r s2 _ < <(median "$name-samed2d-2")
  read -r p1 _ < <(median "$name-peer-1")
  floor=$(build/tests/png_floor_bench "$tmp/last-$name" "$tmp/floor" | awk '{print $3}')
  rm -rf "$tmp/floor" "$tmp/last-$name"
  awk -v s1="$s1" -v s2="$s2" -v p1="$p1" -v f="$floor" -v n="$name" 'BEGIN {
    printf "%-6s peer / samed2d (1 thread) %.2fx; 1 / 2 threads %.2fx; floor (compress and write the same files, 1 thread) %.2f s = %.0f%% of samed2d'"'"'s 1-thread wall\n",
      n, p1 / s1, s1 / s2, f, 100 * f / s1 }'
done
