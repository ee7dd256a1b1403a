#!/usr/bin/env bash
# Measures data-parallel scaling on this machine: the same run as 1 process x 1 thread (the reference),
# 1 process x 2 threads and 2 processes x 1 thread (c10d, Gloo over 127.0.0.1), for lenet5 and
# resnet20 on Fashion-MNIST, and prints each run's training images/s (from summary.json, evaluation
# excluded), wall-clock seconds (evaluation included) and exact test accuracy.
# Usage: scripts/distributed_scaling.sh [build dir] [output dir] [models]
set -euo pipefail
build=${1:-build/release}
out=${2:-runs/scaling}
models=${3:-lenet5 resnet20}
train="$build/app/csq-train"
rm -rf "$out"
mkdir -p "$out"

timed() {  # timed NAME ARGS...: runs csq-train, appends "NAME seconds" to $out/wall.txt
    local name=$1 start
    shift
    start=$(date +%s.%N)
    "$@"
    echo "$name $(echo "$(date +%s.%N) - $start" | bc)" >> "$out/wall.txt"
}

for model in $models; do
    limit=30000
    [ "$model" = resnet20 ] && limit=3000
    flags=(--model "$model" --train-limit "$limit" --epochs 2 --float-epochs 0.5 --ticket 1.5 --finetune-epochs 0
           --log-every 100 --seed 1)
    timed "$model-1x1" "$train" "${flags[@]}" --threads 1 --out "$out/$model-1x1" > "$out/$model-1x1.log" 2>&1
    timed "$model-1x2" "$train" "${flags[@]}" --threads 2 --out "$out/$model-1x2" > "$out/$model-1x2.log" 2>&1
    port=$((29500 + RANDOM % 1000))
    start=$(date +%s.%N)
    "$train" "${flags[@]}" --threads 1 --out "$out/$model-2x1" --world-size 2 --rank 0 --master 127.0.0.1:$port \
        > "$out/$model-2x1-rank0.log" 2>&1 &
    "$train" "${flags[@]}" --threads 1 --out "$out/$model-2x1-rank1" --world-size 2 --rank 1 \
        --master 127.0.0.1:$port > "$out/$model-2x1-rank1.log" 2>&1
    wait
    echo "$model-2x1 $(echo "$(date +%s.%N) - $start" | bc)" >> "$out/wall.txt"
done

python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
labels = {"1x1": "1 process x 1 thread", "1x2": "1 process x 2 threads", "2x1": "2 processes x 1 thread"}
print("| model | layout | training images/s | speed-up | wall-clock s | test_accuracy_quantized |")
print("|---|---|---|---|---|---|")
reference = {}
for line in (out / "wall.txt").read_text().split("\n"):
    if not line:
        continue
    name, wall = line.split()
    model, layout = name.rsplit("-", 1)
    s = json.loads((out / name / "summary.json").read_text())
    reference.setdefault(model, s["images_per_second"])
    print(f"| {model} | {labels[layout]} | {s['images_per_second']:.0f} | {s['images_per_second'] / reference[model]:.2f}x "
          f"| {float(wall):.1f} | {s['test_accuracy_quantized']:.2f} |")
PY
