#!/usr/bin/env bash
# Compares, file by file, what two builds of samed2d write from the same inputs:
#   - every conversion that the end-to-end and dataset-replica tests run (the tests keep their
#     folders, named after the test, and run the given samed2d through SAMED2D_TEST_TOOL),
#   - the sample data (Colin27 T1 + AAL),
#   - the benchmark CTs, where the benchmark scripts have written them: bench-data/ (four
#     512x512x160 cases, scripts/bench-pipeline.sh) and bench-data/ct600 (scripts/bench-peer.sh).
# Use it around a change that must not change any output:
#   cp build/app/samed2d /tmp/samed2d-before      # before the change
#   ...change, scripts/build.sh...
#   scripts/compare-output.sh /tmp/samed2d-before [BUILD_DIR]
# Prints the counts compared and every file that differs or exists on one side only; exits 1 if
# any does. Work folder: $SAMED2D_COMPARE_DIR or a fresh one under /tmp (kept, its path printed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: scripts/compare-output.sh OLD_SAMED2D [BUILD_DIR]" >&2; exit 2; }
old=$(realpath "$1")
build=$(realpath "${2:-$repo/build}")
new="$build/app/samed2d"
for bin in "$old" "$new"; do
  [ -x "$bin" ] || { echo "compare-output: $bin is not an executable; build first" >&2; exit 2; }
done
work=${SAMED2D_COMPARE_DIR:-$(mktemp -d /tmp/samed2d-compare-XXXXXX)}
mkdir -p "$work"
echo "compare-output: $old (old) against $new (new), in $work"

tests=()
for f in "$repo"/tests/e2e/*Test.cpp "$repo"/tests/converters/*Test.cpp; do
  tests+=("$(basename "$f" .cpp)")
done

status=0
for side in old new; do
  bin=$old
  [ "$side" = new ] && bin=$new
  rm -rf "${work:?}/$side"
  mkdir -p "$work/$side/tests"
  for t in "${tests[@]}"; do
    # The Slurm test needs a cluster and writes nothing to compare.
    if ! TMPDIR="$work/$side/tests" SAMED2D_KEEP_TEST_DIRS=1 SAMED2D_TEST_TOOL="$bin" \
      "$build/tests/$t" --gtest_brief=1 >"$work/$side/$t.log" 2>&1; then
      echo "compare-output: $t fails with the $side samed2d (see $work/$side/$t.log)"
      status=1
    fi
  done
  "$bin" convert --dataset Colin27_AAL --input "$repo/sample-data/colin27" \
    --output "$work/$side/sample" --quiet
  for ct in "$repo/bench-data" "$repo/bench-data/ct600"; do
    if [ -f "$ct/.complete" ]; then
      "$bin" convert --config "$ct/config.json" --input "$ct" --output "$work/$side/$(basename "$ct")" \
        --quiet
    fi
  done
done

# Lock files hold a process id; everything else must match byte for byte.
(cd "$work/old" && find . -type f ! -name lock ! -name '*.log' | LC_ALL=C sort) >"$work/old.files"
(cd "$work/new" && find . -type f ! -name lock ! -name '*.log' | LC_ALL=C sort) >"$work/new.files"
if ! diff -q "$work/old.files" "$work/new.files" >/dev/null; then
  echo "compare-output: files on one side only:"
  diff "$work/old.files" "$work/new.files" | grep '^[<>]' | head -50
  status=1
fi
LC_ALL=C comm -12 "$work/old.files" "$work/new.files" >"$work/both.files"
(cd "$work/old" && xargs -d '\n' -a "$work/both.files" sha256sum) >"$work/old.sums"
(cd "$work/new" && xargs -d '\n' -a "$work/both.files" sha256sum) >"$work/new.sums"
differ=$(paste -d ' ' "$work/old.sums" "$work/new.sums" | awk '$1 != $3 {print $2}')
if [ -n "$differ" ]; then
  echo "compare-output: files that differ:"
  echo "$differ" | head -50
  status=1
fi
images=$(grep -c '/images/' "$work/both.files" || true)
masks=$(grep -c '/masks/' "$work/both.files" || true)
echo "compare-output: $(wc -l <"$work/both.files") files compared ($images images, $masks masks)," \
  "$(echo -n "$differ" | grep -c . || true) differ"
exit $status
