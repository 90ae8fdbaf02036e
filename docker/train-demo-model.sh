#!/usr/bin/env bash
# Trains the demo model once into the models volume; a model that is already there is kept
# (artifact directories are never overwritten). Run by the `trainer` service.
set -euo pipefail

out="${MODEL_DIR:-/models/motion/1}"
if [[ -f "$out/manifest.sha256" ]]; then
    echo "model already trained: $out"
    exit 0
fi
mkdir -p "$(dirname "$out")"
rnnstream train \
    --data "$RNNSTREAM_HOME/data/basicmotions/BasicMotions_TRAIN.ts" \
    --test "$RNNSTREAM_HOME/data/basicmotions/BasicMotions_TEST.ts" \
    --out "$out" "$@"
