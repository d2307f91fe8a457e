#!/usr/bin/env bash
# Builds a project from the shared real data with every importer that has data
# there, tokenizes it with the embedded model, attaches some task text, exports
# it for every MLLM trainer and checks each export with the validator
# (decoding every token pair). Writes to runs/dataset-demo (or $1).
#   scripts/dataset-demo.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
S=${SAMTOK:-build/app/samtok}
D=../shared/data
OUT=${1:-runs/dataset-demo}
rm -rf "$OUT" && mkdir -p "$OUT"
P="$OUT/demo.samtok"
LM=$D/labelme-examples/examples/instance_segmentation

$S project init "$P" --name "dataset demo" >/dev/null
echo "== import"
$S import coco "$P" "$LM/data_dataset_coco/annotations.json"
$S import voc "$P" "$LM/data_dataset_voc"                      # the same 3 photos: nothing new
$S import labelme "$P" "$LM/data_annotated"                    # again the same regions
$S import masks "$P" --images "$D/davis2017-firstframes/data/DAVIS/JPEGImages/480p" \
  --masks "$D/davis2017-firstframes/data/DAVIS/Annotations/2017" --instances --class object
$S import masks "$P" --images "$D/grabcut/data_GT" --masks "$D/grabcut/boundary_GT" --ignore-value 128 --class object
$S import yolo "$P" --images "$D/coco128-seg/coco128-seg/images/train2017" \
  --labels "$D/coco128-seg/coco128-seg/labels/train2017" --names coco

echo "== tokenize"
$S tokenize "$P"

echo "== task text"
first=$($S region list "$P" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["region"], r[0]["image"])')
set -- $first
$S region refer "$P" "$1" "the first object of the project"
$S region refer "$P" "$1" "the <video> that shows it"   # users' markup: left out at export, with a note
$S region describe "$P" "$1" "A region described from the command line."
$S region ask "$P" "$1" --question "What is <region>?" --answer "An object."
$S region group "$P" "$2" "the unicorns"

echo "== export and validate"
# Every target with its start files, checked with that trainer's loader rules (and every pair decoded).
for t in samtok-jsonl samtok-json llamafactory swift llava internvl; do
  $S export mllm "$P" "$OUT/$t" --target "$t" --tasks refseg,gres,gcg,regioncap,vqa,refdet --val 0.1 --seed 1 \
    | sed -n '1,3p'
  ls "$OUT/$t" | grep -E '\.(sh|yaml|py)$|_meta\.json$|dataset_info' | tr '\n' ' '; echo
  for f in "$OUT/$t"/samtok_train.json* "$OUT/$t"/samtok_val.json*; do
    printf '%s: ' "$f"; $S validate "$f" --target "$t" --decode | tail -1
  done
done
$S export coco "$P" "$OUT/coco/instances.json" --masks "$OUT/coco/masks" --tokens
