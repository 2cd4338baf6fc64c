#!/usr/bin/env bash
# Reproduces the bundled demo model data/models/kvt-demo-6l (see docs/demo-model.md).
# Usage: scripts/train-demo-model.sh [OUT_DIR]   (BUILD=<build dir>, default ./build)
# Needs the Debian packages jargon-text and fortunes-min, and a built kvtuner-train.
# Takes about 30-40 minutes on one CPU core; outputs are byte-identical for the same LibTorch build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
OUT="${1:-$ROOT/data/models/kvt-demo-6l}"
TRAIN="$BUILD/apps/kvtuner-train"
[ -x "$TRAIN" ] || { echo "train-demo-model: $TRAIN not found; build the kvtuner-train target first" >&2; exit 2; }
for pkg in jargon-text fortunes-min; do
  dpkg -s "$pkg" >/dev/null 2>&1 || { echo "train-demo-model: install the Debian package $pkg" >&2; exit 2; }
done

CORPUS="$(mktemp -d)"
trap 'rm -rf "$CORPUS"' EXIT
zcat /usr/share/doc/jargon-text/jargon.txt.gz > "$CORPUS/jargon.txt"
FORTUNES=/usr/share/games/fortunes

# The held-out split must not overlap the bundled calibration prompts (it never affects the weights).
CALIBRATION=()
for f in "$ROOT"/data/calibration/*.txt "$ROOT"/data/calibration/*.jsonl; do
  [ -f "$f" ] && CALIBRATION+=(--calibration "$f")
done

# One intra-op thread: the run is reproducible for a fixed thread count, and more threads do not
# pay off on a small shared machine.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
exec "$TRAIN" --out "$OUT" --force \
  --corpus "$CORPUS/jargon.txt" --corpus "$FORTUNES/fortunes" --corpus "$FORTUNES/literature" \
  --corpus "$FORTUNES/riddles" "${CALIBRATION[@]}" \
  --seed 1 --threads 1 --heldout-permille 40 --vocab-size 4096 \
  --hidden 256 --layers 6 --heads 8 --kv-heads 2 --head-dim 32 --intermediate 688 --context 256 \
  --steps 800 --batch 8 --lr 2e-3 --warmup 50 --weight-decay 0.1 --eval-every 25 --eval-windows 16
