#!/usr/bin/env bash
# Formats the C++ tree with clang-format 14 and the repository's .clang-format.
# Usage: scripts/format.sh [--check] [files...]   (default: every tracked .cpp/.h)
# --check changes nothing and exits 1, listing the files, when any file is not formatted.
# clang-format is a developer tool, not a build dependency: scripts/install-deps.sh --dev installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$tool" ] || { echo "scripts/format.sh: clang-format 14 not found; run scripts/install-deps.sh --dev" >&2; exit 2; }
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(git ls-files '*.cpp' '*.h'); fi
if [ $check -eq 1 ]; then
  bad=0
  for f in "${files[@]}"; do
    "$tool" --dry-run --Werror "$f" >/dev/null 2>&1 || { echo "not formatted: $f"; bad=1; }
  done
  exit $bad
fi
"$tool" -i "${files[@]}"
