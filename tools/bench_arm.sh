#!/usr/bin/env bash
# bench_arm.sh - ARM instructions per booth frame on Cortex-A72 (Pi 4), part by part, as JSON for
# 'magicbooth bench --arm-counts FILE'. Needs /work/shared/tools/arm64 built with --with-plugins.
# Usage: tools/bench_arm.sh [--cpu cortex-a72] [--effect NAME] [--frames N] > counts.json
# PyAV is not in the guest venv: an aarch64 wheel matching the host's version is unpacked into a
# cache folder and put on the guest's import path (pip download of one wheel).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ARM="${ARM64_TOOLS:-/work/shared/tools/arm64}"
CPU=cortex-a72 EFFECT="" FRAMES=8
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) CPU="$2"; shift 2 ;;
    --effect) EFFECT="$2"; shift 2 ;;
    --frames) FRAMES="$2"; shift 2 ;;
    *) echo "bench_arm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
PY="${PYTHON:-$ROOT/.venv/bin/python}"
AV="$("$PY" -c 'import av; print(av.__version__)')"
SITE="${XDG_CACHE_HOME:-$HOME/.cache}/magicbooth/arm-site-av-$AV"
if [ ! -d "$SITE/av" ]; then
  WHEELS="$(mktemp -d)"
  "$PY" -m pip download -q "av==$AV" --platform manylinux_2_28_aarch64 --platform manylinux_2_17_aarch64 \
    --only-binary=:all: --python-version 3.11 --no-deps -d "$WHEELS" >&2
  mkdir -p "$SITE" && "$PY" -m zipfile -e "$WHEELS"/av-*.whl "$SITE" && rm -rf "$WHEELS"
fi
count() {  # count PART [extra args] -> median instructions per frame
  "$ARM/markrun.sh" --cpu "$CPU" --venv /opt/venv -b "$ROOT:/app" -b "$SITE:/armsite" -- \
    /app/tools/bench_arm.py --site /armsite --frames "$FRAMES" ${EFFECT:+--effect "$EFFECT"} "$@" 2>&1 \
    | sed -n 's/.*median \([0-9,]*\).*/\1/p' | tr -d ,
}
FRAME=$(count --part frame); EFFECT_N=$(count --part effect); ENCODE=$(count --part encode)
FACES=$(count --part perception --needs faces); MESH=$(count --part perception --needs faces,mesh)
MASK=$(count --part perception --needs mask)
NAME="$(cd "$ROOT" && "$PY" -c "
import sys; sys.argv=['x']
from magicbooth.bench.components import effect_name; print(effect_name('$EFFECT' or None))" 2>/dev/null)"
MODELS="$(sha256sum "$ROOT/models_tflite/manifest.toml" | cut -c1-16)"
cat <<JSON
{"schema": "magicbooth.arm-counts", "cpu": "$CPU", "effect": "$NAME", "frames": $FRAMES,
 "manifest_sha256": "$MODELS", "measured": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "parts": {"frame": $FRAME, "effect": $EFFECT_N, "encode libx264": $ENCODE,
           "detector": $FACES, "tracker (detector + landmarks)": $MESH, "segmenter": $MASK}}
JSON
