#!/usr/bin/env bash
# The documentation's pictures, from the real windows without a display (csq-shots under Qt's offscreen
# platform). Usage: scripts/screenshots.sh [window|mobilenet|sensitivity|pareto|all]   (default: all)
#   window: docs/csq-studio-run.png, the main window late in the default run's search (lenet5 on
#           Fashion-MNIST; a few minutes)
#   mobilenet: docs/csq-studio-mobilenet.png, the main window during the search of a MobileNetV2 from its
#           TorchScript file (runs/torchscript-study/mobilenet_v2-pretrained.pt of
#           scripts/torchscript_study.sh, else one trained here), 20000 images, target 4 bits, at epoch 1.4
#   sensitivity: docs/csq-studio-sensitivity.png, the Sensitivity tab during that MobileNetV2's search:
#           Run → Measure sensitivity now at epoch 1.2 (a few minutes)
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
study=runs/torchscript-study
model=$study/mobilenet_v2-pretrained.pt
if [ "$what" = mobilenet ] || [ "$what" = sensitivity ] || [ "$what" = all ]; then
  if [ ! -f "$model" ]; then
    mkdir -p $study
    /usr/bin/python3 scripts/torchvision_model.py mobilenet_v2 --width 0.5 --in-channels 1 --classes 10 \
      --train /usr/share/datasets/fashion-mnist --train-limit 20000 --epochs 4 --seed 0 "$model" | tee $study/pretrain.log
  fi
fi
norm=$( [ -f $study/pretrain.log ] && sed -n 's/.*--input-normalization \([^ ]*\).*/\1/p' $study/pretrain.log || true)
config=$(mktemp --suffix .json)
printf '{"model_spec": "%s", "input_normalization": "%s", "train_limit": 20000, "float_epochs": 0.2,
 "ticket_epoch": 2, "epochs": 2, "finetune_epochs": 0, "target_bits": 4, "budget_ramp": 0.5, "mask_lr": 0.03}\n' "$model" "$norm" > "$config"
if [ "$what" = mobilenet ] || [ "$what" = all ]; then
  "$shots" window docs/csq-studio-mobilenet.png --config "$config" --at 1.4 --size 1600x1150
fi
if [ "$what" = sensitivity ] || [ "$what" = all ]; then
  "$shots" sensitivity docs/csq-studio-sensitivity.png --config "$config" --at 1.2 --size 1600x1000
fi
rm -f "$config"
if [ "$what" = pareto ] || [ "$what" = all ]; then
  "$shots" pareto runs/study/lenet5-size docs/pareto-lenet5 runs/study/lenet5-float
  mv docs/pareto-lenet5-window.png docs/comparison-window.png
fi
