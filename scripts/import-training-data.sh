#!/usr/bin/env bash
# Imports the training photos of ../shared/data/train into one project per set,
# through the same importers users have (samtok import ...), so that
# `samtok train --project` reads them through the store. Idempotent: a project
# that exists is kept (importing again adds no duplicates). Never import the
# evaluation sets (GrabCut, Berkeley, DAVIS) into a training project.
set -euo pipefail
cd "$(dirname "$0")/.."
D=${DATA:-../shared/data}/train
OUT=${TRAIN_DATA:-../runs/training-data}
S=build/app/samtok
mkdir -p "$OUT"
project() {  # name, importer, its arguments...
  local p="$OUT/$1.samtok"
  if [ -f "$p.done" ]; then return; fi
  [ -f "$p" ] || $S project init "$p" --name "$1" >/dev/null
  echo "== $1"
  $S import "$2" "$p" "${@:3}" | tail -n 3 | sed "s/^/   /"
  touch "$p.done"
}
# Salient objects: soft edges, foreground from 128; several objects in one mask become regions of their own.
project duts-tr masks --images "$D/duts-tr/images" --masks "$D/duts-tr/masks" --threshold 128 \
  --connected-parts --min-part-area 100 --class salient
# Clothing and body parts: semantic labels, split into connected parts (a pair of shoes is two regions).
project ccp masks --images "$D/ccp/images" --masks "$D/ccp/masks" --instances --connected-parts \
  --min-part-area 100 --class-names "$D/ccp/labels.txt"
# Pedestrians: one value per person.
project pennfudan masks --images "$D/pennfudan/images" --masks "$D/pennfudan/masks" --instances --class person
# Car parts: COCO JSON with polygons (iscrowd is a JSON boolean there).
project carparts-train coco "$D/carparts/trainingset/annotations.json" --images "$D/carparts/trainingset/JPEGImages"
project carparts-test coco "$D/carparts/testset/annotations.json" --images "$D/carparts/testset/JPEGImages"
for p in "$OUT"/*.samtok; do $S project info "$p" | head -n 4 | tr '\n' ' '; echo; done
