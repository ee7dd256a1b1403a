#!/usr/bin/env bash
# The step-time ratios docs/results/performance.md quotes, as medians over repeated csq-bench runs: CSQ search and
# finetune against float (LibTorch, interleaved in one process) and CSQ search against PyTorch's float
# step of the same network (Debian's python3-torch, timed right after), in PyTorch's default layout
# (NCHW) and in NHWC, the layout CSQ runs in. Run it on an otherwise idle
# machine. Our own float step against PyTorch's shows as ratio_float_pytorch (and _nhwc).
# Usage: [MODEL_SPEC=FILE.pt] scripts/bench_median.sh [RUNS] [OUT_DIR] (defaults 3, runs/bench; about 10
# min): MODEL_SPEC times that model file (a TorchScript archive, on 1x28x28 at batch 128) instead of
# lenet5 and resnet20; MAX_BITS sets the CSQ variants' max bits (default 8).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/release/app/csq-bench
[ -x "$bench" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
runs=${1:-3}
out=${2:-runs/bench}
mkdir -p "$out"
for i in $(seq 1 "$runs"); do
  if [ -n "${MODEL_SPEC:-}" ]; then models=(--model-spec "$MODEL_SPEC"); else models=(--models lenet5,resnet20); fi
  "$bench" "${models[@]}" --max-bits "${MAX_BITS:-8}" --steps 20 --threads 2 --no-memory --json "$out/run-$i.json" |
    tee "$out/run-$i.log"
done
python3 - "$out" "$runs" <<'PY'
import json, pathlib, statistics, sys
out, runs = pathlib.Path(sys.argv[1]), int(sys.argv[2])
reports = [json.load(open(out / f"run-{i}.json")) for i in range(1, runs + 1)]
keys = ["ratio_search", "ratio_finetune", "ratio_search_pytorch", "ratio_search_pytorch_nhwc", "ratio_float_pytorch",
        "ratio_float_pytorch_nhwc", "float_ips", "csq_search_ips", "pytorch_float_ips", "pytorch_float_nhwc_ips"]
for r in reports:  # our float step time over PyTorch's
    for row in r.values():
        for suffix in ("", "_nhwc"):
            if "pytorch_float" + suffix + "_ips" in row:
                row["ratio_float_pytorch" + suffix] = row["pytorch_float" + suffix + "_ips"] / row["float_ips"]
print(f"median of {runs} csq-bench runs (2 threads)")
print("| model | " + " | ".join(keys) + " |")
print("| --- " * (len(keys) + 1) + "|")
for model in reports[0]:
    cells = []
    for k in keys:
        values = [r[model][k] for r in reports if k in r[model]]
        cells.append(f"{statistics.median(values):.3f}" if values and k.startswith("ratio") else
                     f"{statistics.median(values):.1f}" if values else "—")
    print(f"| {model} | " + " | ".join(cells) + " |")
PY
