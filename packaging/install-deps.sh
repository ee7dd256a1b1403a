#!/usr/bin/env bash
# Installs every Debian 12 package CSQ Studio needs to build, run and test.
# Idempotent and non-interactive; run as root (or through sudo) on a fresh machine.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # compiler cache: fresh clones reuse earlier builds' object files (see CMakeLists.txt)
  ccache
  # engine: LibTorch (CPU; libgloo-dev for the c10d Gloo headers) and Boost 1.81 (json, iostreams,
  # program_options)
  libtorch-dev libgloo-dev libboost1.81-dev libboost-json1.81-dev libboost-iostreams1.81-dev
  libboost-program-options1.81-dev zlib1g-dev
  # image folders: PNG and JPEG decoding (through Boost.GIL)
  libpng-dev libjpeg-dev
  # GUI: Qt 6 Widgets + SVG, QCustomPlot for Qt 6
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqcustomplot-dev libgl-dev
  # default data set: Fashion-MNIST, gzipped IDX under /usr/share/datasets/fashion-mnist
  dataset-fashion-mnist
  # the round-trip tests with real PyTorch (your own model, TorchScript architectures from torchvision);
  # Debian's, not pip ones
  python3-torch python3-torchvision
  # the libFuzzer build of the fuzz targets (CTest's fuzz_build): clang with its sanitizer runtimes;
  # the layout check (CTest's format_check) and the static checks of a change (tidy_changed)
  clang libclang-rt-14-dev clang-format clang-tidy
  # a real window and screenshots without a display
  xvfb xauth
  # packaging: man pages from --help (help2man), checks of the desktop entry and the AppStream
  # metainfo (desktop-file-validate, appstreamcli) in the deb_package test
  help2man desktop-file-utils appstream
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
