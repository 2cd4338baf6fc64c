#!/usr/bin/env bash
# The main job on the bundled default model and calibration set: profile, prune, group, search,
# and write Pareto-optimal layer-wise KV configs with reports into runs/demo/ (replaced on each run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" --target kvtuner-search
"$root/build/apps/kvtuner-search" run --out "$root/runs/demo" --force "$@"
echo "results: $root/runs/demo (open report.md)"
