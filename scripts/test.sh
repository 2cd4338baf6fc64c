#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite with CTest, the interop
# (parity) tests included: scripts/install-interop.sh installs their PyPI and npm packages into build/ and
# stops the script, loudly, if it cannot. Extra arguments are passed to ctest (e.g. -L interop, -LE interop).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
"$root/scripts/install-interop.sh" "$root/build"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)" "$@"
