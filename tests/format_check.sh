#!/usr/bin/env bash
# Every C++ source and header of the tree is laid out as .clang-format says: a misformatted line fails
# CI instead of a review. Usage: format_check.sh SOURCE_DIR   (fix with: clang-format -i FILE)
set -euo pipefail
cd "$1"
command -v clang-format > /dev/null || { echo "format_check: clang-format is missing (bash packaging/install-deps.sh)" >&2; exit 1; }
mapfile -t files < <(find app core ui tests fuzz packaging \( -name '*.cpp' -o -name '*.h' -o -name '*.cc' \) | sort)
clang-format --dry-run -Werror "${files[@]}"
echo "format_check: ${#files[@]} files as .clang-format lays them out"
