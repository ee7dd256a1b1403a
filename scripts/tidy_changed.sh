#!/usr/bin/env bash
# clang-tidy (.clang-tidy: bugprone, concurrency, performance) over the C++ sources a change touches,
# against the release build's compile_commands.json. Usage: scripts/tidy_changed.sh [BASE]   (default
# HEAD~1: the last commit's files). Prints the findings; exits 1 when there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}
db=build/release/compile_commands.json
[ -f "$db" ] || { echo "configure first: cmake --preset release" >&2; exit 1; }
command -v clang-tidy > /dev/null || { echo "clang-tidy is missing: apt install clang-tidy" >&2; exit 1; }
mapfile -t files < <(git diff --name-only --diff-filter=AM "$base" -- '*.cpp' | grep -E '^(core|ui|app)/' || true)
[ ${#files[@]} -gt 0 ] || { echo "tidy_changed: no C++ source changed since $base"; exit 0; }
status=0
for f in "${files[@]}"; do
  echo "== $f"
  clang-tidy -p build/release --quiet "$f" 2>/dev/null | grep -E "warning:|error:" -A3 && status=1 || true
done
exit $status
