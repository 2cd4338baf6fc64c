#!/usr/bin/env bash
# Runs clang-tidy 14 with the repository's .clang-tidy on the given sources (default: the torch-free ones, which
# are cheap to parse: search/, lib/core, lib/report), using BUILD/compile_commands.json.
# Usage: scripts/lint.sh [BUILD] [files...]      exits 1 when clang-tidy reports a warning.
# clang-tidy is a developer tool, not a build dependency: scripts/install-deps.sh --dev installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
tool=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[ -n "$tool" ] || { echo "scripts/lint.sh: clang-tidy 14 not found; run scripts/install-deps.sh --dev" >&2; exit 2; }
[ -f "$build/compile_commands.json" ] || { echo "scripts/lint.sh: $build/compile_commands.json missing; configure first" >&2; exit 2; }
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(git ls-files 'search/*.cpp' 'lib/core/*.cpp' 'lib/report/*.cpp'); fi
out=$("$tool" -p "$build" --quiet "${files[@]}" 2>/dev/null || true)
if grep -q "warning:\|error:" <<<"$out"; then echo "$out"; exit 1; fi
echo "clang-tidy: ${#files[@]} files clean"
