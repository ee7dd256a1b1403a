#!/usr/bin/env bash
# Measures data-parallel scaling on this machine: the same lenet5 run as 1 process x 2 threads and as
# 2 processes x 1 thread (c10d, Gloo over 127.0.0.1), and prints each run's training images/s (from
# summary.json, evaluation excluded), wall-clock seconds and test accuracy.
# Usage: scripts/distributed_scaling.sh [build dir] [output dir]
set -euo pipefail
build=${1:-build/release}
out=${2:-runs/scaling}
train="$build/app/csq-train"
rm -rf "$out"
mkdir -p "$out"
flags=(--model lenet5 --train-limit 30000 --epochs 2 --float-epochs 0.5 --ticket 1.5 --finetune-epochs 0
       --log-every 100 --seed 1)

start=$(date +%s.%N)
"$train" "${flags[@]}" --threads 2 --out "$out/1x2" > "$out/1x2.log" 2>&1
one=$(echo "$(date +%s.%N) - $start" | bc)

port=$((29500 + RANDOM % 1000))
start=$(date +%s.%N)
"$train" "${flags[@]}" --threads 1 --out "$out/2x1" --world-size 2 --rank 0 --master 127.0.0.1:$port > "$out/2x1-rank0.log" 2>&1 &
"$train" "${flags[@]}" --threads 1 --out "$out/2x1-rank1" --world-size 2 --rank 1 --master 127.0.0.1:$port > "$out/2x1-rank1.log" 2>&1
wait
two=$(echo "$(date +%s.%N) - $start" | bc)

python3 - "$out" "$one" "$two" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
print("| layout | training images/s | wall-clock s | test_accuracy_quantized |")
print("|---|---|---|---|")
for name, wall in (("1x2", sys.argv[2]), ("2x1", sys.argv[3])):
    s = json.loads((out / name / "summary.json").read_text())
    label = "1 process x 2 threads" if name == "1x2" else "2 processes x 1 thread"
    print(f"| {label} | {s['images_per_second']:.0f} | {float(wall):.1f} | {s['test_accuracy_quantized']:.2f} |")
PY
