#!/usr/bin/env bash
# The README's pictures, from the real windows without a display (csq-shots under Qt's offscreen
# platform). Usage: scripts/screenshots.sh [window|pareto|all]   (default: all)
#   window: docs/csq-studio-run.png, the main window late in the default run's search (lenet5 on
#           Fashion-MNIST; a few minutes)
#   pareto: docs/pareto-lenet5.{png,csv} and docs/comparison-window.png, from the size-mode groups
#           in runs/study/lenet5-size and the float group runs/study/lenet5-float
#           (scripts/quality_study.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
shots=build/release/app/csq-shots
[ -x "$shots" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
export QT_QPA_PLATFORM=offscreen
what=${1:-all}
if [ "$what" = window ] || [ "$what" = all ]; then
  "$shots" window docs/csq-studio-run.png
fi
if [ "$what" = pareto ] || [ "$what" = all ]; then
  "$shots" pareto runs/study/lenet5-size docs/pareto-lenet5 runs/study/lenet5-float
  mv docs/pareto-lenet5-window.png docs/comparison-window.png
fi
