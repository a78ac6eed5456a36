#!/usr/bin/env bash
# Runs a linkcap sweep as a real Slurm job array on a single-host Slurm started here, merges the shards and
# checks them against a single run, byte for byte. Needs root, Debian's slurm-wlm and munge
# (apt-get install slurm-wlm munge; .ci/run installs them). Recipe: ../shared/reference/slurm-single-host.md.
#
#   test/slurm/slurm-sweep.sh WORKDIR SPEC SHARDS
#
# Everything lives under WORKDIR (its own slurm.conf via SLURM_CONF, its own munge socket and free ports), so
# it neither needs nor touches /etc/slurm, and the daemons are stopped by their pids when the script ends.
set -euo pipefail
work=$(realpath -m "$1")
spec=$(realpath "$2")
shards=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
cli="$repo/apps/cli/dist/cli.js"
node=$(command -v node)
host=$(hostname -s)

mkdir -p "$work"/{munge,state,spool,log,out}
chmod 755 "$work"

pids=()
cleanup() {
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT

# --- MUNGE: a fresh key and socket of our own -------------------------------------------------------------
chown munge:munge "$work/munge"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
runuser -u munge -- munged --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
munge -S "$socket" -n | unmunge -S "$socket" | grep -q 'STATUS: *Success'

# --- Slurm: controller and node on this host ------------------------------------------------------------------
free_port() { "$node" -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})"; }
ctld_port=$(free_port)
slurmd_port=$(free_port)
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
cat > "$work/slurm.conf" <<CONF
ClusterName=linkcap-test
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool/slurmd-%n
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=linkcap Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
cat > "$work/cgroup.conf" <<CONF
CgroupPlugin=cgroup/v1
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -i -L "$work/log/slurmctld.log"
slurmd -L "$work/log/slurmd.log"
for _ in $(seq 100); do
  state=$(sinfo -h -o '%T' 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
if [ "$state" != idle ]; then
  echo "slurm did not come up (node state: ${state:-none})" >&2
  tail -20 "$work/log/slurmctld.log" "$work/log/slurmd.log" >&2 || true
  exit 1
fi

# --- the job array: one shard per task (SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT) -------------------------
cat > "$work/job.sh" <<JOB
#!/usr/bin/env bash
exec "$node" "$cli" sweep "$spec" -o "$work/out" --quiet --threads 1
JOB
chmod +x "$work/job.sh"
sbatch --wait --array=0-$((shards - 1)) --chdir="$work" --output="$work/log/task-%a.out" --error="$work/log/task-%a.err" "$work/job.sh" >/dev/null \
  || { echo "the job array failed" >&2; cat "$work"/log/task-*.err >&2 || true; exit 1; }

"$node" "$cli" merge "$work/out" -o "$work/merged" --quiet
"$node" "$cli" sweep "$spec" -o "$work/single" --quiet
for f in $(cd "$work/single" && find . -name '*.parquet' -o -name state.bin | sort); do
  cmp "$work/single/$f" "$work/merged/$f"
done
echo "slurm job array of $shards shards merged: $(ls -d "$work"/out/shard-* | wc -l) shard results, identical to the single run"
