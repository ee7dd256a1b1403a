#!/usr/bin/env bash
# The TorchScript study of docs/results/accuracy.md: a torchvision MobileNetV2 (width 0.5, 1-channel stem), trained
# briefly in PyTorch, then quantized by csq-train from its TorchScript file on Fashion-MNIST (20000
# training images, the full test set) over seeds 1-3, two runs side by side: float (the same epochs of
# float training), mixed at 3 and 4 layer-average bits, and uniform 4 bits. The schedule is the short
# config's (resources/configs/resnet20-fashion-short.json): 1 float epoch, the ticket at 1.05 by measured
# loss, 3 epochs on the lattice, 4 epochs in all.
# Finished runs are kept, so the script resumes; then it prints the table (mean ± sd over seeds, the gap
# to float, and mixed minus uniform per seed with the sd of that difference).
# Usage: scripts/torchscript_study.sh [OUT_DIR]   (default runs/torchscript-study); TRAIN=0 only tabulates.
set -euo pipefail
cd "$(dirname "$0")/.."
train=${CSQ_TRAIN:-build/release/app/csq-train}
[ -x "$train" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
out=${1:-runs/torchscript-study}
data=/usr/share/datasets/fashion-mnist
mkdir -p "$out"
model=$out/mobilenet_v2-pretrained.pt
if [ "${TRAIN:-1}" = 1 ]; then
  if [ ! -f "$model" ]; then
    /usr/bin/python3 scripts/torchvision_model.py mobilenet_v2 --width 0.5 --in-channels 1 --classes 10 \
      --train "$data" --train-limit 20000 --epochs 4 --threads 2 --seed 0 "$model" | tee "$out/pretrain.log"
  fi
  # The input the model was trained on, as the script printed it.
  norm=$(sed -n 's/.*--input-normalization \([^ ]*\).*/\1/p' "$out/pretrain.log")
  common=(--model-spec "$model" --input-normalization "$norm" --data "$data" --train-limit 20000
          --config resources/configs/resnet20-fashion-short.json --seeds 1,2,3 --parallel 2 --threads 2 --log-every 500)
  step() { local dir=$1; shift; echo "== $dir"; "$train" "${common[@]}" "$@" --out "$out/$dir" > "$out/$dir.log" 2>&1 || echo "   (see $out/$dir.log)"; }
  step float --float
  step mixed --budget-mode layer --sweep 3,4 --uniform 4
fi

python3 - "$out" <<'PY'
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])

def group(point):  # the finished seed runs of a point, by seed
    return {d.name: json.loads((d / "summary.json").read_text())
            for d in sorted(point.glob("seed-*")) if (d / "summary.json").exists()}

def fmt(values):
    sd = statistics.stdev(values) if len(values) > 1 else float("nan")
    return f"{statistics.mean(values):.2f} ± {sd:.2f}" if values else "-"

points = [("float", out / "float"), ("mixed 4 bits", out / "mixed/mixed-4"), ("mixed 3 bits", out / "mixed/mixed-3"),
          ("uniform 4 bits", out / "mixed/uniform-4")]
runs = {name: group(path) for name, path in points}
float_mean = statistics.mean(r["test_accuracy_quantized"] for r in runs["float"].values()) if runs["float"] else None
print("| run | seeds | test accuracy (%) | gap to float | layer-average bits | size-weighted bits | imported float |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name, _ in points:
    rs = list(runs[name].values())
    if not rs:
        continue
    acc = [r["test_accuracy_quantized"] for r in rs]
    gap = f"{statistics.mean(acc) - float_mean:+.2f}" if float_mean is not None and name != "float" else "-"
    bits = [r["avg_bits"] for r in rs] if "avg_bits" in rs[0] else []
    weighted = [r["weighted_avg_bits"] for r in rs] if "weighted_avg_bits" in rs[0] else []
    imported = [r["imported_test_accuracy"] for r in rs if "imported_test_accuracy" in r]
    print(f"| {name} | {len(rs)} | {fmt(acc)} | {gap} | {fmt(bits) if bits else '-'} | "
          f"{fmt(weighted) if weighted else '-'} | {fmt(imported) if imported else '-'} |")
mixed, uniform = runs["mixed 4 bits"], runs["uniform 4 bits"]
common = sorted(set(mixed) & set(uniform))
if common:
    diff = [mixed[s]["test_accuracy_quantized"] - uniform[s]["test_accuracy_quantized"] for s in common]
    sd = statistics.stdev(diff) if len(diff) > 1 else float("nan")
    print(f"\nmixed 4 - uniform 4, per seed ({', '.join(common)}): {' '.join(f'{d:+.2f}' for d in diff)}; "
          f"mean {statistics.mean(diff):+.2f}, sd {sd:.2f}")
PY
