#!/usr/bin/env bash
# The search's robustness grid: every zoo model x float warm-up 0, 0.5, 1, 2 epochs x seeds 1-5, on
# 10000 Fashion-MNIST training images with the quick schedule (resources/configs/quick-fashion-mnist.json:
# 4 epochs, ticket at 3, target 2 bits, no finetune). Two runs at a time, one thread each. Prints one
# line per run and a table per model and warm-up; "at chance" is a quantized test accuracy under 20 %.
# Usage: scripts/robustness_grid.sh [OUT_DIR]   (default runs/robustness; finished runs are kept;
# MODELS, WARMUPS, SEEDS narrow the grid, CSQ_TRAIN names the csq-train to run)
set -euo pipefail
cd "$(dirname "$0")/.."
train=${CSQ_TRAIN:-build/release/app/csq-train}  # CSQ_TRAIN: another build's binary
[ -x "$train" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
out=${1:-runs/robustness}
mkdir -p "$out"
models=${MODELS:-"mlp lenet5 resnet20"}
warmups=${WARMUPS:-"0 0.5 1 2"}
seeds=${SEEDS:-"1 2 3 4 5"}

jobs=()
for m in $models; do for f in $warmups; do for s in $seeds; do jobs+=("$m $f $s"); done; done; done

run_one() {
  read -r m f s <<<"$1"
  local dir="$out/$m-f$f-s$s"
  [ -f "$dir/summary.json" ] && return 0
  "$train" --config resources/configs/quick-fashion-mnist.json --model "$m" --float-epochs "$f" --seed "$s" \
    --threads 1 --out "$dir" > "$dir.log" 2>&1 || true
}
export -f run_one
export train out
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c 'run_one "{}"'

python3 - "$out" $models -- $warmups -- $seeds <<'PY'
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1]); rest = sys.argv[2:]
i = rest.index("--"); models = rest[:i]; rest = rest[i + 1:]
i = rest.index("--"); warmups = rest[:i]; seeds = rest[i + 1:]
diverged = chance = 0
print(f"{'model':9} {'float_epochs':>12} {'finished':>8} {'quantized acc mean':>18} {'min':>6} {'max':>6} {'bits':>5}")
for m in models:
    for f in warmups:
        accs, bits, done = [], [], 0
        for s in seeds:
            d = out / f"{m}-f{f}-s{s}"
            if (d / "summary.json").exists():
                j = json.loads((d / "summary.json").read_text())
                done += 1
                accs.append(j["test_accuracy_quantized"]); bits.append(j["avg_bits"])
                if j["test_accuracy_quantized"] < 20: chance += 1
            else:
                log = pathlib.Path(str(d) + ".log")
                reason = log.read_text().strip().splitlines()[-1] if log.exists() else "not run"
                diverged += 1
                print(f"  {m} float_epochs {f} seed {s}: {reason}")
        mean = statistics.mean(accs) if accs else float("nan")
        print(f"{m:9} {f:>12} {done:>5}/{len(seeds):<2} {mean:>18.2f} {min(accs, default=float('nan')):>6.2f} "
              f"{max(accs, default=float('nan')):>6.2f} {statistics.mean(bits) if bits else float('nan'):>5.2f}")
print(f"runs that did not finish: {diverged}; runs at chance (< 20 %): {chance}")
PY
