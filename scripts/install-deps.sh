#!/usr/bin/env bash
# Installs the Debian packages kvtuner needs, only those missing. Safe to run repeatedly.
set -euo pipefail
packages=(cmake g++ make pkg-config libtorch-dev libopenblas0-pthread libpagmo-dev libcli11-dev libeigen3-dev
          libyaml-cpp-dev catch2 nlohmann-json3-dev libpcre2-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
