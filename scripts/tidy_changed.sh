#!/usr/bin/env bash
# clang-tidy (.clang-tidy: bugprone, concurrency, performance) over the torch-free C++ sources a change
# touches: core/api, ui and app (csq-bench aside). The torch-facing ones cannot be read: clang 14 does
# not parse LibTorch 1.13's headers in C++20, and they compile against GCC's precompiled torch header.
# Usage: scripts/tidy_changed.sh [BASE [BUILD_DIR]]   (defaults: HEAD~1, the last commit's files, and
# build/release, whose compile_commands.json it reads). Prints the findings; exits 1 when there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}
build=${2:-build/release}
[ -f "$build/compile_commands.json" ] || { echo "tidy_changed: configure first: cmake --preset release" >&2; exit 1; }
command -v clang-tidy > /dev/null || { echo "tidy_changed: clang-tidy is missing (bash packaging/install-deps.sh)" >&2; exit 1; }
git rev-parse -q --verify "$base^{commit}" > /dev/null ||
  { echo "tidy_changed: no commit $base to compare with: clone the whole history (no --depth)" >&2; exit 1; }
mapfile -t files < <(git diff --name-only --diff-filter=AM "$base" -- '*.cpp' |
  grep -E '^(core/api|ui|app)/' | grep -v '^app/csq_bench_main.cpp$' || true)
echo "tidy_changed: ${#files[@]} torch-free source(s) changed since $base"
status=0
for f in "${files[@]}"; do
  if findings=$(clang-tidy -p "$build" --quiet "$f" 2>/dev/null | grep -E "(warning|error):" -A3); then
    echo "== $f"
    echo "$findings"
    status=1
  fi
done
[ $status -eq 0 ] && echo "tidy_changed: no findings"
exit $status
