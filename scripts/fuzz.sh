#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (AddressSanitizer + UBSan) in build-fuzz/,
# writes their seed corpora, and runs each target for SECONDS (default 300, or
# SAMED2D_FUZZ_SECONDS). Fails when a target finds a crash, a sanitizer report, a hang (over 10 s
# per input) or an allocation over 2 GB, and prints where the reproducer is and how to rerun it.
# Two modes:
# - scripts/fuzz.sh (CI, scripts/test.sh): a fixed seed, a fixed number of inputs per target
#   (SECONDS caps it) and fresh corpora, so that CI turns red for a change of the code rather
#   than for the luck of one run. Nearly reproducible: the DICOM seeds carry GDCM's time-based
#   UIDs, so the path through the inputs can differ a little between runs.
# - scripts/fuzz.sh SECONDS (exploring): a random seed, SECONDS per target, and corpora that grow
#   in build-fuzz/corpus/ from run to run. Run it to look for new bugs; fix what it finds.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
explore=0
[ $# -gt 0 ] && explore=1
# The fixed mode's cap per target is generous (a slow machine must not cut a run short).
seconds=${1:-${SAMED2D_FUZZ_SECONDS:-300}}
build=build-fuzz

# CMake takes a compiler launcher (ccache) from CMAKE_CXX_COMPILER_LAUNCHER in the environment,
# as for the other builds.
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSAMED2D_FUZZ=ON -DSAMED2D_WARNINGS_AS_ERRORS=ON -DSAMED2D_BUILD_TESTS=OFF \
  -DSAMED2D_BUILD_BENCHMARKS=OFF >/dev/null
targets=(fuzz_dataset_config fuzz_sa_name fuzz_volume_read)
cmake --build "$build" -j "${SAMED2D_BUILD_JOBS:-2}" --target "${targets[@]}" fuzz_seeds

# Seeds: fresh each run, never committed. Small real files of sample-data/ join the volume seeds
# when they are there (scripts/fetch-sample-data.sh).
seeds="$build/seeds"
rm -rf "$seeds"
extra=()
for f in sample-data/nibabel/standard.nii.gz sample-data/nibabel/example_nifti2.nii.gz \
  sample-data/pydicom/MR_small.dcm sample-data/pydicom/CT_small.dcm; do
  [ -f "$f" ] && extra+=("$f")
done
"$build/fuzz/fuzz_seeds" "$seeds" "${extra[@]}"
mkdir -p "$seeds/config"
cp configs/datasets/*.json "$seeds/config/"

# target  seed folder  -max_len  dictionary
declare -A seed_dir=([fuzz_dataset_config]=config [fuzz_sa_name]=name [fuzz_volume_read]=volume)
declare -A max_len=([fuzz_dataset_config]=8192 [fuzz_sa_name]=256 [fuzz_volume_read]=65536)
# Inputs per target in the fixed mode (fuzz_volume_read: about 3 minutes on 2 cores).
declare -A runs=([fuzz_dataset_config]=150000 [fuzz_sa_name]=4000000 [fuzz_volume_read]=40000)
declare -A dict=([fuzz_dataset_config]=fuzz/dataset_config.dict [fuzz_sa_name]=fuzz/sa_name.dict
  [fuzz_volume_read]=fuzz/volume.dict)

# handle_segv=0: libFuzzer's own handler saves the input of a SIGSEGV even when the stack is
# garbage (a longjmp into a dead frame inside a library), where ASan's report dies unwinding it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:handle_segv=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
# As for the ASan test build: what ITK's NrrdIO and MetaIO keep after a failed read is not ours.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$repo/tests/sanitizers/lsan.supp}"

failed=()
for t in "${targets[@]}"; do
  if [ "$explore" = 1 ]; then
    corpus="$build/corpus/$t"
    mode=(-max_total_time="$seconds")
    echo "fuzz: $t for ${seconds}s (log: $build/logs/$t.log)"
  else
    corpus="$build/corpus-fixed/$t"
    rm -rf "$corpus"
    mode=(-seed=1 -runs="${runs[$t]}" -max_total_time="$seconds")
    echo "fuzz: $t, ${runs[$t]} inputs from seed 1 (log: $build/logs/$t.log)"
  fi
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  rm -rf "$artifacts"  # the reproducers of an earlier run
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  status=0
  "$build/fuzz/$t" "${mode[@]}" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${max_len[$t]}" -dict="${dict[$t]}" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "$seeds/${seed_dir[$t]}" >"$log" 2>&1 || status=$?
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)' \
    "$log" | sed "s/^/fuzz: $t: /" || true
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $status); the end of its log:" >&2
    tail -n 60 "$log" >&2
    for a in "$artifacts"/*; do
      [ -e "$a" ] || continue
      echo "fuzz: $t: reproducer $a; rerun it with:" \
        "LSAN_OPTIONS=$LSAN_OPTIONS ASAN_OPTIONS=$ASAN_OPTIONS $build/fuzz/$t $a" >&2
    done
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran without a finding"
