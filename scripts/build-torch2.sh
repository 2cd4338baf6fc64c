#!/usr/bin/env bash
# Configures and builds kvtuner against LibTorch 2.x, the one inside PyPI's torch wheel (pinned in
# tests/interop/requirements.lock, installed by scripts/install-interop.sh into build/interop-venv), into
# build-torch2/ (Release). Extra arguments are passed to `cmake --build`. Test it with
#   ctest --test-dir build-torch2 --output-on-failure
# No CUDA toolkit is needed: cmake/torch-wheel.cmake (docs/interop.md, "LibTorch 2.x") says why.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/install-interop.sh" "$root/build"
python="$root/build/interop-venv/bin/python"
torch_dir="$("$python" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')/Torch"
cmake -S "$root" -B "$root/build-torch2" -DCMAKE_BUILD_TYPE=Release -Wno-dev \
  -DTorch_DIR="$torch_dir" -DCMAKE_PROJECT_INCLUDE="$root/cmake/torch-wheel.cmake" \
  -DKVT_INTEROP_PYTHON="$python" -DKVT_INTEROP_NPM_DIR="$root/build/interop-npm" >/dev/null
cmake --build "$root/build-torch2" -j"$(nproc)" "$@"
