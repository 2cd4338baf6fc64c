#!/usr/bin/env bash
# Installs the Debian packages kvtuner needs, only those missing. Safe to run repeatedly.
# Usage: scripts/install-deps.sh [--fuzz] [--dev]
set -euo pipefail
packages=(cmake g++ make pkg-config libtorch-dev libopenblas0-pthread libpagmo-dev libcli11-dev libeigen3-dev
          libyaml-cpp-dev catch2 nlohmann-json3-dev libpcre2-dev libicu-dev
          # Text corpora the trainer tests, the tokenizer benchmark and scripts/train-demo-model.sh read
          # (/usr/share/games/fortunes/*, /usr/share/doc/jargon-text/jargon.txt.gz).
          fortunes-min jargon-text)
# --fuzz: also clang and libFuzzer for scripts/fuzz-smoke.sh (tests/fuzz); the default build and tests use g++ only.
# --dev: clang-format and clang-tidy for scripts/format.sh and scripts/lint.sh (developer tools, not build deps).
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --dev) packages+=(clang-format-14 clang-tidy-14) ;;
    *) echo "scripts/install-deps.sh: unknown option '$arg' (expected --fuzz or --dev)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The tokenizer conformance test runs the reference tokenizers with Node.js; keep an existing node/npm.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
