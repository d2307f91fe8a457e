#!/usr/bin/env bash
# A single-node Slurm cluster in a folder, started and stopped without systemd, for the cluster test:
#   tests/cluster/local-slurm.sh start DIR    munged, slurmctld and slurmd on free ports; prints SLURM_CONF=...
#   tests/cluster/local-slurm.sh stop DIR
# Runs as the current user (root or not). Exit 77 when Slurm or munge is not installed, or there is no cgroup tree.
set -euo pipefail
cmd=$1 dir=$(realpath -m "$2")
for t in munged slurmctld slurmd sbatch sinfo; do
  command -v "$t" >/dev/null || PATH="$PATH:/usr/sbin"
  command -v "$t" >/dev/null || { echo "local-slurm: $t is not installed (apt-get install slurm-wlm munge)" >&2; exit 77; }
done
# slurmd (22.05) will not start without a cgroup tree, which machines and containers have but a bare chroot may not.
if [ "$cmd" = start ] && [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]; then
  echo "local-slurm: /sys/fs/cgroup is empty here: slurmd cannot start (mount it, as containers do)" >&2
  exit 77
fi
if [ "$cmd" = stop ]; then
  for p in slurmd slurmctld; do [ -f "$dir/$p.pid" ] && kill "$(cat "$dir/$p.pid")" 2>/dev/null || true; done
  munged -s --socket="$dir/munge/munge.socket" >/dev/null 2>&1 || true
  exit 0
fi
mkdir -p "$dir"/{munge,key,state,spool,log}
chmod 755 "$dir/munge"  # the socket's folder: reachable by every client
chmod 700 "$dir/key"
[ -f "$dir/key/munge.key" ] || { head -c 1024 /dev/urandom > "$dir/key/munge.key"; chmod 400 "$dir/key/munge.key"; }
munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/key/munge.key" \
  --log-file="$dir/log/munged.log" --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/seed"
port=$((20000 + RANDOM % 20000))
host=$(hostname -s)
user=$(id -un)
cat > "$dir/slurm.conf" <<CONF
ClusterName=samtoktest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -c
slurmd
for _ in $(seq 100); do
  [[ "$(sinfo -h -o %t 2>/dev/null)" == *idle* ]] && { echo "SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.2
done
echo "local-slurm: the node did not come up; see $dir/log" >&2
exit 1
