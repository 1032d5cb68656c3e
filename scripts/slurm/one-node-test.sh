#!/usr/bin/env bash
# A real Slurm cluster of one node on this machine, running a sharded conversion end to end:
# installs Debian's slurm-wlm and munge when missing, starts munged, slurmctld and slurmd with a
# private configuration (own ports, sockets and state under a temporary folder; nothing in /etc
# is touched), writes two small datasets, submits scripts/slurm/submit.sh's job array (3 shards)
# and merge job, waits for them, and checks that the merged tree equals a single run of the same
# convert command byte for byte (PNGs, both JSON files, report.json, case records). Whatever
# happens, it stops the daemons it started and removes its folder (SAMED2D_KEEP_SLURM_TEST=1
# keeps the folder, with the daemons' and jobs' logs).
#
# Usage: scripts/slurm/one-node-test.sh      (needs root for apt-get and the daemons; run after
#                                             scripts/build.sh, which builds make_bench_data)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SAMED2D_BIN:-$repo/build/app/samed2d}
maker=$repo/build/tests/make_bench_data
for tool in "$bin" "$maker"; do
  [ -x "$tool" ] || { echo "slurm-test: $tool is missing; run scripts/build.sh" >&2; exit 2; }
done
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm-test: installing slurm-wlm and munge"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends \
    slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/samed2d-slurm.XXXXXX)
export SLURM_CONF=$work/etc/slurm.conf
stop() {
  local status=$?
  scontrol shutdown >/dev/null 2>&1 || true
  local pids=()
  for pid_file in "$work/slurmctld.pid" "$work/slurmd.pid" "$work/munge/munged.pid"; do
    [ -f "$pid_file" ] && pids+=("$(cat "$pid_file")")
  done
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  # The daemons write their state on the way out: wait for them before removing the folder.
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/log/*.log "$work"/shards/*.log; do
      [ -f "$log" ] || continue
      echo "slurm-test: --- the end of $log" >&2
      tail -n 15 "$log" >&2
    done
  fi
  if [ "${SAMED2D_KEEP_SLURM_TEST:-0}" = 1 ]; then
    echo "slurm-test: kept $work"
  else
    rm -rf "$work" || echo "slurm-test: could not remove all of $work" >&2
  fi
  exit "$status"
}
trap stop EXIT
mkdir -p "$work"/{etc,state,spool,log,munge}
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
# --force: munged refuses to run as root otherwise; the socket and key are private to this test.
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/seed" \
  --log-file="$work/log/munged.log"

# Ports from the process id, so that two test runs on one machine do not collide.
port=$((20000 + ($$ % 20000)))
node=$(hostname -s)
cat >"$SLURM_CONF" <<EOF
ClusterName=samed2dtest
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$node CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -i
slurmd
for _ in $(seq 60); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %t | grep -q idle || { echo "slurm-test: the node never became idle" >&2; exit 1; }
echo "slurm-test: one-node cluster up ($node, port $port)"

# Two datasets (5 and 3 cases of different sizes) and a sources file naming both.
"$maker" "$work/in/a" 5 28 24 10 >/dev/null
"$maker" "$work/in/b" 3 20 18 14 >/dev/null
sed 's/"SyntheticCT"/"SyntheticCT2"/' "$work/in/b/config.json" >"$work/in/b2.json"
cat >"$work/sources.json" <<EOF
{"$work/in/a/config.json": "$work/in/a", "$work/in/b2.json": "$work/in/b"}
EOF
"$bin" convert --sources "$work/sources.json" --output "$work/single" --threads 1 --quiet

"$repo/scripts/slurm/submit.sh" --shards 3 --shards-dir "$work/shards" --output "$work/merged" \
  --cpus 1 --time 10 --bin "$bin" -- --sources "$work/sources.json"
for _ in $(seq 300); do
  [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
  sleep 1
done
if [ -n "$(squeue -h -o %i)" ]; then
  squeue >&2
  echo "slurm-test: the jobs did not finish within 5 minutes" >&2
  exit 1
fi
[ -f "$work/merged/SAMed2D_v1.json" ] || { echo "slurm-test: the merge wrote nothing" >&2; exit 1; }
for s in 0 1 2; do
  [ -f "$work/shards/shard-$s/report.json" ] ||
    { echo "slurm-test: shard $s did not finish" >&2; exit 1; }
done
# Byte for byte, except the files that say how each folder was made.
if ! diff -r -x lock -x shard.json -x merge.json -x merged -x tmp "$work/single" "$work/merged"; then
  echo "slurm-test: FAILED: the merged tree differs from a single run" >&2
  exit 1
fi
images=$(find "$work/merged/images" -name '*.png' | wc -l)
[ "$images" -gt 0 ] || { echo "slurm-test: no image was written" >&2; exit 1; }
echo "slurm-test: 3 shards on Slurm merged into a tree identical to one run ($images images)"
