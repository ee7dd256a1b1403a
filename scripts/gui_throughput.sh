#!/usr/bin/env bash
# Measures training throughput with the GUI showing live plots against csq-train on the same config:
# both write summary.json with images_per_second. The GUI runs under Xvfb (a real X server) when
# xvfb-run exists, else offscreen. Usage: scripts/gui_throughput.sh [build dir] [output dir] [config]
set -euo pipefail
build=${1:-build/release}
out=${2:-runs/gui-throughput}
config=${3:-resources/configs/quick-fashion-mnist.json}
mkdir -p "$out"
python3 - "$config" "$out" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for name in ("cli", "gui"):
    c["out_dir"] = f"{sys.argv[2]}/{name}"
    json.dump(c, open(f"{sys.argv[2]}/{name}.json", "w"), indent=1)
PY
rm -rf "$out/cli" "$out/gui"
"$build/app/csq-train" --config "$out/cli.json" > "$out/cli.log" 2>&1
if command -v xvfb-run > /dev/null; then
  xvfb-run -a -s "-screen 0 1600x1000x24" "$build/app/csq-studio" --config "$out/gui.json" --autostart --quit-when-done > "$out/gui.log" 2>&1
else
  QT_QPA_PLATFORM=offscreen "$build/app/csq-studio" --config "$out/gui.json" --autostart --quit-when-done > "$out/gui.log" 2>&1
fi
python3 - "$out" <<'PY'
import json, sys
cli = json.load(open(f"{sys.argv[1]}/cli/summary.json"))
gui = json.load(open(f"{sys.argv[1]}/gui/summary.json"))
print(f"csq-train  : {cli['images_per_second']:.0f} img/s over {cli['seconds']:.1f} s")
print(f"csq-studio : {gui['images_per_second']:.0f} img/s over {gui['seconds']:.1f} s")
print(f"GUI / CLI  : {gui['images_per_second'] / cli['images_per_second']:.3f}")
PY
