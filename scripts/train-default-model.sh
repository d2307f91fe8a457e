#!/usr/bin/env bash
# Reproduces the embedded default model (models/samtok-micro.*) from scratch.
# CPU by default; pass --device cuda with a CUDA build of LibTorch. Resumable:
# rerun the same command after an interruption. See models/MODEL_CARD.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${RUN:-runs/samtok-micro}
COCO=${COCO:-../shared/data/coco128-seg/coco128-seg}
scripts/build.sh >/dev/null
build/app/samtok train "$RUN" --config models/samtok-micro.json --coco "$COCO" \
  --steps 8000 --images-per-step 4 --masks-per-image 6 --lr 1e-3 --seed 1 \
  --attention-init aligned --min-instance-area 0.01 --log-every 50 "$@"
cp "$RUN/model.safetensors" models/samtok-micro.safetensors
sha256sum models/samtok-micro.safetensors | cut -d' ' -f1 > models/samtok-micro.safetensors.sha256
echo "models/samtok-micro.safetensors updated; run scripts/eval-default-model.sh for its numbers"
