#!/usr/bin/env bash
# Measures the Fashion-MNIST figures: CSQ runs at several budgets next to the float
# baseline of the same model and epochs, then prints one table row per run from summary.json.
# Usage: [RUNS="float layer-2 ..."] [CONFIG=base.json] scripts/fashion_results.sh [build dir] [output dir] [models...]
#   e.g. scripts/fashion_results.sh build/release runs/results lenet5
#        RUNS="float layer-2" CONFIG=resources/configs/resnet20-fashion-short.json \
#          scripts/fashion_results.sh build/release runs/results resnet20
# RUNS picks from: float layer-2 layer-2-at-once layer-3 size-2 (default: all but layer-2-at-once, the
# budget applied at once as in the paper instead of the default ramp); CONFIG is
# read before the flags.
set -euo pipefail
build=${1:-build/release}
out=${2:-runs/results}
shift $(( $# > 2 ? 2 : $# )) || true
models=("${@:-lenet5}")
train="$build/app/csq-train"
mkdir -p "$out"

runs=(${RUNS:-float layer-2 layer-3 size-2})
base=()
[ -n "${CONFIG:-}" ] && base=(--config "$CONFIG")

run() {  # name, flags...
  local name=$1; shift
  [ -f "$out/$name/summary.json" ] || "$train" "${base[@]}" --out "$out/$name" --log-every 200 "$@" > "$out/$name.log" 2>&1
}

for model in "${models[@]}"; do
  for r in "${runs[@]}"; do
    case $r in
      float) run "$model-float" --model "$model" --float ;;
      layer-2) run "$model-layer-2" --model "$model" --target-bits 2 --budget-mode layer ;;
      layer-2-at-once) run "$model-layer-2-at-once" --model "$model" --target-bits 2 --budget-mode layer --budget-ramp 0 ;;
      layer-3) run "$model-layer-3" --model "$model" --target-bits 3 --budget-mode layer ;;
      size-2) run "$model-size-2" --model "$model" --target-bits 2 --budget-mode size ;;
      *) echo "unknown run '$r' (float layer-2 layer-2-at-once layer-3 size-2)" >&2; exit 2 ;;
    esac
  done
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
