#!/bin/sh
# CTest's entry to an interop script: run_parity.sh PYTHON SCRIPT.py ARGS...
# Fails (exit 1, one line) when PYTHON, the venv of scripts/install-interop.sh, is missing: never skips.
python="$1"
shift
if [ ! -x "$python" ]; then
  echo "interop: $python not found: run scripts/install-interop.sh (or set -DKVT_INTEROP_PYTHON=...)" >&2
  exit 1
fi
PYTHONDONTWRITEBYTECODE=1 exec "$python" "$@"
