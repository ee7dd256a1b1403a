#!/usr/bin/env bash
# Measures the issue's Fashion-MNIST figures: CSQ runs at several budgets next to the float
# baseline of the same model and epochs, then prints one table row per run from summary.json.
# Usage: scripts/fashion_results.sh [build dir] [output dir] [models...]
#   e.g. scripts/fashion_results.sh build/release runs/results lenet5 resnet20
set -euo pipefail
build=${1:-build/release}
out=${2:-runs/results}
shift $(( $# > 2 ? 2 : $# )) || true
models=("${@:-lenet5}")
train="$build/app/csq-train"
mkdir -p "$out"

run() {  # name, flags...
  local name=$1; shift
  [ -f "$out/$name/summary.json" ] || "$train" --out "$out/$name" --log-every 200 "$@" > "$out/$name.log" 2>&1
}

for model in "${models[@]}"; do
  run "$model-float" --model "$model" --float
  run "$model-layer-2" --model "$model" --target-bits 2 --budget-mode layer
  run "$model-layer-3" --model "$model" --target-bits 3 --budget-mode layer
  run "$model-size-2" --model "$model" --target-bits 2 --budget-mode size
done

python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
rows = sorted(p.parent for p in out.glob("*/summary.json"))
print("| run | avg_bits | weighted_avg_bits | test_accuracy | test_accuracy_quantized | gap to float | epochs | images/s |")
print("|---|---|---|---|---|---|---|---|")
summaries = {r.name: json.loads((r / "summary.json").read_text()) for r in rows}
for name, s in summaries.items():
    base = summaries.get(s["model"] + "-float")
    gap = f'{s["test_accuracy_quantized"] - base["test_accuracy"]:+.2f}' if base and not s["float"] else ""
    bits = ("float", "float") if s["float"] else (f'{s["avg_bits"]:.3f}', f'{s["weighted_avg_bits"]:.3f}')
    print(f'| {name} | {bits[0]} | {bits[1]} | {s["test_accuracy"]:.2f} | {s["test_accuracy_quantized"]:.2f} | {gap} | {s["epochs"]} | {s["images_per_second"]:.0f} |')
PY
