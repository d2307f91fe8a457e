#!/usr/bin/env bash
# Tokenizes a project on a Slurm cluster: a job array of N shards (one GPU each), then the merge as a job that
# runs only when every shard succeeded. Prints the two job ids. PROJECT may also be an annotation source too large
# for a project (a COCO / LVIS JSON, an SA-1B folder): the last job then exports the shard files as MLLM records.
#   packaging/slurm/submit.sh PROJECT SHARD_DIR N [sbatch options for the shards...]
# Environment: MODEL (a checkpoint or a downloaded model's name; default the embedded one), DEVICE (cuda),
# GPUS_PER_TASK (1; 0 for CPU-only nodes), SAMTOK (the samtok binary, default from PATH), PARTITION; for a source,
# IMAGES (a COCO JSON's image folder), EXPORT (default SHARD_DIR/export) and EXPORT_OPTIONS.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
project=$(realpath "$1") out=$(realpath -m "$2") shards=$3
shift 3
mkdir -p "$out"
gpus=()
[ "${GPUS_PER_TASK:-1}" = 0 ] || gpus=(--gpus-per-task="${GPUS_PER_TASK:-1}")
part=()
[ -z "${PARTITION:-}" ] || part=(--partition="$PARTITION")
env="ALL,PROJECT=$project,OUT=$out,SHARDS=$shards,SAMTOK=${SAMTOK:-samtok},DEVICE=${DEVICE:-cuda}${MODEL:+,MODEL=$MODEL}"
env+="${IMAGES:+,IMAGES=$(realpath "$IMAGES")}${EXPORT:+,EXPORT=$(realpath -m "$EXPORT")}"
array=$(sbatch --parsable "${part[@]}" --array=0-$((shards - 1)) "${gpus[@]}" --export="$env" \
  --output="$out/slurm-%A_%a.log" "$@" "$here/samtok-tokenize.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable "${part[@]}" --dependency=afterok:"$array" --kill-on-invalid-dep=yes --export="$env" \
  --output="$out/slurm-merge-%j.log" "$here/samtok-merge.sbatch")
echo "shards: job array $array ($shards tasks); merge: job ${merge%%;*} (after every shard succeeds)"
