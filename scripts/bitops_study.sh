#!/usr/bin/env bash
# A budget by compute: resnet20 (the short config) at 2 MAC-weighted bits (budget_mode bitops), mixed
# against uniform 2 bits (the same BitOPs), seeds 1-3 on full Fashion-MNIST, two runs side by side.
# Prints csq-train --results and the paired difference per seed. Rerunning resumes; about an hour on
# 2 cores. Usage: scripts/bitops_study.sh [OUT_DIR]   (default runs/bitops-study; CSQ_TRAIN names the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
train=${CSQ_TRAIN:-build/release/app/csq-train}
[ -x "$train" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
out=${1:-runs/bitops-study}
"$train" --config resources/configs/resnet20-fashion-short.json --budget-mode bitops --sweep 2 --uniform 2 \
  --seeds 1,2,3 --parallel 2 --threads 2 --out "$out" > "$out.log" 2>&1 || { tail -5 "$out.log" >&2; exit 1; }
"$train" --results "$out"
python3 - "$out" <<'PY'
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
def seeds(point):
    return [json.load(open(out / point / f"seed-{s}" / "summary.json")) for s in (1, 2, 3)]
mixed, uniform = seeds("mixed-2"), seeds("uniform-2")
for name, runs in (("mixed-2", mixed), ("uniform-2", uniform)):
    print(f"{name}: " + "; ".join(f"seed {i + 1} {r['test_accuracy_quantized']:.2f} % at {r['mac_weighted_avg_bits']:.3f} "
                                   f"MAC-weighted bits, {r['bitops'] / 1e9:.3f} GBitOPs" for i, r in enumerate(runs)))
d = [m["test_accuracy_quantized"] - u["test_accuracy_quantized"] for m, u in zip(mixed, uniform)]
mean, sd = statistics.mean(d), statistics.stdev(d)
verdict = ("beats uniform by more than 1 sd" if mean > sd else
           "not below uniform by more than 1 sd" if mean >= -sd else "below uniform by more than 1 sd")
print(f"mixed - uniform per seed: {' '.join(f'{x:+.2f}' for x in d)}; mean {mean:+.2f}, sd {sd:.2f}: {verdict}")
PY
