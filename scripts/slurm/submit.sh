#!/usr/bin/env bash
# Submits a sharded samed2d conversion to Slurm: a job array of N convert tasks (one shard each,
# into SHARDS_DIR/shard-<i>) and a merge job that runs once every task has succeeded
# (--dependency=afterok), writing OUTPUT. Prints the two job ids.
#
# Usage: scripts/slurm/submit.sh --shards N --shards-dir DIR --output DIR [--partition P]
#          [--time T] [--mem M] [--cpus C] [--merge-time T] [--bin PATH] -- CONVERT_ARGS...
#   CONVERT_ARGS: `samed2d convert` options but --output and --shard, e.g.
#                 --sources sources.json --profile samed2d_v1
#   --cpus sets both the task's CPUs and samed2d's --threads.
# Every path must be on a file system all nodes see (the same paths on every node). Resubmit
# failed tasks with the printed command, then the merge (or rerun `samed2d merge` by hand).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shards="" shards_dir="" output="" partition="" time="" mem="" cpus="" merge_time="" bin=""
while [ $# -gt 0 ]; do
  case $1 in
    --shards) shards=$2; shift 2 ;;
    --shards-dir) shards_dir=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --partition) partition=$2; shift 2 ;;
    --time) time=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --merge-time) merge_time=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "submit.sh: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
if [ -z "$shards" ] || [ -z "$shards_dir" ] || [ -z "$output" ] || [ $# -eq 0 ]; then
  echo "submit.sh: give --shards N, --shards-dir DIR, --output DIR and, after --, the convert" \
    "options (see the usage at the top of $0)" >&2
  exit 2
fi
case $shards in ''|*[!0-9]*) echo "submit.sh: --shards $shards is not a number" >&2; exit 2 ;; esac
[ "$shards" -ge 1 ] || { echo "submit.sh: --shards must be at least 1" >&2; exit 2; }
bin=${bin:-$(command -v samed2d || echo "$here/../../build/app/samed2d")}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -x "$bin" ] || { echo "submit.sh: $bin is not an executable samed2d; give --bin" >&2; exit 2; }
abs() { mkdir -p "$1" && (cd "$1" && pwd); }
shards_dir=$(abs "$shards_dir")
common=()
[ -n "$partition" ] && common+=(--partition "$partition")
task=("${common[@]}")
[ -n "$time" ] && task+=(--time "$time")
[ -n "$mem" ] && task+=(--mem "$mem")
threads=()
if [ -n "$cpus" ]; then
  task+=(--cpus-per-task "$cpus")
  threads=(--threads "$cpus")
fi
array=$(sbatch --parsable "${task[@]}" --array="0-$((shards - 1))" --chdir "$shards_dir" \
  "$here/convert-array.sbatch" "$shards_dir" "$bin" "$@" "${threads[@]}")
array=${array%%;*}
merge_opts=("${common[@]}")
[ -n "$merge_time" ] && merge_opts+=(--time "$merge_time")
merge=$(sbatch --parsable "${merge_opts[@]}" --dependency="afterok:$array" --chdir "$shards_dir" \
  "$here/merge.sbatch" "$shards_dir" "$(abs "$(dirname "$output")")/$(basename "$output")" "$bin")
merge=${merge%%;*}
echo "submit.sh: convert array $array ($shards tasks, logs in $shards_dir), merge $merge into $output"
echo "submit.sh: to resubmit failed tasks, e.g. 3 and 7:"
echo "  sbatch ${task[*]:+${task[*]} }--array=3,7 --chdir $shards_dir $here/convert-array.sbatch $shards_dir $bin $* ${threads[*]}"
echo "  then: sbatch ${merge_opts[*]:+${merge_opts[*]} }--dependency=afterok:<new job id> --chdir $shards_dir $here/merge.sbatch $shards_dir $output $bin"
