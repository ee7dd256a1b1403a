#!/usr/bin/env bash
# Where a whole run's wall time goes: trains lenet5 with the defaults and resnet20 with the short config
# (full Fashion-MNIST, 2 threads, one run at a time) and prints each run's time profile from its
# summary.json: wall time against the summed step time, and the parts in between. Run it on an
# otherwise idle machine. Usage: scripts/run_profile.sh [OUT_DIR] (default runs/profile; about 25 min);
# CSQ_TRAIN names another csq-train (a copy, so that a rebuild meanwhile does not swap it).
set -euo pipefail
cd "$(dirname "$0")/.."
train=${CSQ_TRAIN:-build/release/app/csq-train}
[ -x "$train" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
out=${1:-runs/profile}
mkdir -p "$out"
run() { local name=$1; shift; rm -rf "${out:?}/$name"; "$train" "$@" --threads 2 --out "$out/$name" > "$out/$name.log" 2>&1; }
run lenet5-default
run resnet20-short --config resources/configs/resnet20-fashion-short.json
python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
parts = ["startup", "steps", "data", "evaluation", "ticket", "sensitivity", "snapshots", "files", "checkpoints", "other"]
# The measured ticket (ticket_by_loss) is the method's own work, not overhead: also shown beside the steps.
print("| run | wall s | steps s | wall / steps | wall / (steps + ticket) | " + " | ".join(p for p in parts if p != "steps") + " |")
print("| --- " * (len(parts) + 4) + "|")
for name in ["lenet5-default", "resnet20-short"]:
    t = json.load(open(out / name / "summary.json"))["time"]
    rest = " | ".join(f"{t.get(p, 0.0):.1f}" for p in parts if p != "steps")
    work = t["steps"] + t.get("ticket", 0.0)
    print(f"| {name} | {t['wall']:.1f} | {t['steps']:.1f} | {t['wall'] / t['steps']:.3f} | {t['wall'] / work:.3f} | {rest} |")
PY
