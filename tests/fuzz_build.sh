#!/usr/bin/env bash
# The libFuzzer build of every fuzz target (clang, ASan + UBSan) compiles and links, and each target
# runs 10,000 inputs from its corpus clean: CI builds what CONTRIBUTING.md's fuzzing commands build, so a
# target that stops linking is noticed. Usage: fuzz_build.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source=$1
build=$2
command -v clang++ > /dev/null || { echo "fuzz_build: clang++ is missing (bash packaging/install-deps.sh)" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S "$source" -B "$build" -G Ninja -DCSQ_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build.log"
cmake --build "$build" >> "$build.log" || { tail -40 "$build.log"; exit 1; }
# libFuzzer writes the inputs it finds into its first corpus folder: a scratch one, so that the
# saved corpus in the source tree is only read.
for target in idx cifar config model_spec scheme; do
  rm -rf "$build/new-inputs/$target" && mkdir -p "$build/new-inputs/$target"
  "$build/fuzz/fuzz_$target" -runs=10000 -max_len=8192 -timeout=10 "$build/new-inputs/$target" \
    "$source/fuzz/corpus/$target" 2>&1 | tail -1
done
echo "fuzz_build: every target built and ran 10,000 inputs clean"
