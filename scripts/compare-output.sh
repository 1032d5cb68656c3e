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

# Case records and reports name the input paths (under old/ or new/) and the inputs' times, and
# lock files hold a process id; those are set aside, everything else must match byte for byte.
python3 - "$work" <<'PY' || status=1
import os, re, sys
work = sys.argv[1]
def files(side):
    # Only what samed2d wrote: the files below an output tree (a folder holding .samed2d/ or
    # SAMed2D_v1.json). The inputs the tests write (DICOM UIDs hold the time) are left out.
    root = os.path.join(work, side)
    out = {}
    trees = []
    for folder, dirs, names in os.walk(root):
        if ".samed2d" in dirs or "SAMed2D_v1.json" in names:
            trees.append(folder + os.sep)
        if not any(folder.startswith(t) or folder + os.sep == t for t in trees[-1:]):
            continue
        for n in names:
            if n == "lock" or n.endswith(".log"):
                continue
            path = os.path.join(folder, n)
            if os.path.islink(path):  # inputs of the bad-input tests
                continue
            out[os.path.relpath(path, root)] = path
    return out
def content(path, side):
    data = open(path, "rb").read()
    if not path.endswith(".png"):
        data = data.replace(os.path.join(work, side).encode(), b"@")
        data = re.sub(rb'"mtime_ns":\s*-?[0-9]+', b'"mtime_ns":0', data)
    return data
old, new = files("old"), files("new")
only = sorted(set(old) ^ set(new))
for rel in only[:50]:
    print("compare-output: only in", "old:" if rel in old else "new:", ascii(rel))
both = sorted(set(old) & set(new))
differ = [rel for rel in both if content(old[rel], "old") != content(new[rel], "new")]
for rel in differ[:50]:
    print("compare-output: differs:", ascii(rel))
images = sum("/images/" in rel for rel in both)
masks = sum("/masks/" in rel for rel in both)
print(f"compare-output: {len(both)} files compared ({images} images, {masks} masks), "
      f"{len(differ)} differ, {len(only)} on one side only")
sys.exit(1 if differ or only else 0)
PY
exit $status
