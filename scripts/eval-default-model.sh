#!/usr/bin/env bash
# The numbers of models/MODEL_CARD.md: round trip and clicks on the three
# evaluation sets of ../shared/data (never used for training); then the round
# trip again with codes chosen by decoding (--search $SEARCH, default 8).
set -euo pipefail
cd "$(dirname "$0")/.."
D=${DATA:-../shared/data}
MODEL=${MODEL:-samtok-micro}
OUT=${OUT:-runs/eval}
SEARCH=${SEARCH:-8}
mkdir -p "$OUT"
S=build/app/samtok
sets() {  # suffix, extra flags
  echo "== GrabCut $1"
  $S eval --model "$MODEL" --images "$D/grabcut/data_GT" --masks "$D/grabcut/boundary_GT" --ignore-value 128 --json "${@:2}" > "$OUT/grabcut$1.json"
  echo "== Berkeley $1"
  $S eval --model "$MODEL" --images "$D/berkeley/images" --masks "$D/berkeley/masks" --json "${@:2}" > "$OUT/berkeley$1.json"
  echo "== DAVIS 2017 first frames $1"
  $S eval --model "$MODEL" --images "$D/davis2017-firstframes/data/DAVIS/JPEGImages/480p" \
    --masks "$D/davis2017-firstframes/data/DAVIS/Annotations/2017" --instances --json "${@:2}" > "$OUT/davis$1.json"
}
sets "" "$@"
sets "-search$SEARCH" --no-clicks --search "$SEARCH" "$@"
python3 - "$OUT" "$SEARCH" <<'PY'
import json, sys, os
sets = [("GrabCut", "grabcut"), ("Berkeley", "berkeley"), ("DAVIS 2017 first frames", "davis")]
print("| set | instances | round-trip mIoU | >=0.5 | >=0.75 | >=0.9 | bbox baseline | NoC@85 | NoC@90 | mIoU@1 | mIoU@3 | mIoU@5 |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for name, f in sets:
    s = json.load(open(os.path.join(sys.argv[1], f + ".json")))["summary"]
    r, c = s["round_trip"], s["clicks"]
    print(f"| {name} | {s['instances']} | {r['miou']:.3f} | {100*r['share_0.5']:.0f} % | {100*r['share_0.75']:.0f} % | "
          f"{100*r['share_0.9']:.0f} % | {s['bbox_baseline_miou']:.3f} | {c['noc85']:.2f} | {c['noc90']:.2f} | "
          f"{c['miou_1']:.3f} | {c['miou_3']:.3f} | {c['miou_5']:.3f} |")
print()
print("The decoder returns the candidate its IoU head ranks first; with the best of its candidates instead (an oracle):")
print()
print("| set | round-trip mIoU, returned | best candidate | instances losing > 0.05 to the choice |")
print("|---|---|---|---|")
for name, f in sets:
    j = json.load(open(os.path.join(sys.argv[1], f + ".json")))
    r = j["summary"]["round_trip"]
    lost = sum(1 for i in j["instances"] if i["best_candidate_iou"] > i["round_trip_iou"] + 0.05)
    print(f"| {name} | {r['miou']:.3f} | {r['best_candidate_miou']:.3f} | {lost} of {len(j['instances'])} |")
w = sys.argv[2]
print()
print(f"Round trip with codes searched among {w} x {w} neighbour pairs (--search {w}):")
print()
print("| set | round-trip mIoU | >=0.5 | >=0.75 | >=0.9 | seconds |")
print("|---|---|---|---|---|---|")
for name, f in sets:
    s = json.load(open(os.path.join(sys.argv[1], f"{f}-search{w}.json")))["summary"]
    r = s["round_trip"]
    print(f"| {name} | {r['miou']:.3f} | {100*r['share_0.5']:.0f} % | {100*r['share_0.75']:.0f} % | "
          f"{100*r['share_0.9']:.0f} % | {s['seconds']:.0f} |")
PY
