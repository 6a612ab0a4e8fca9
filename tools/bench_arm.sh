#!/usr/bin/env bash
# bench_arm.sh - ARM instructions per booth frame on Cortex-A72 (Pi 4) and/or Cortex-A76 (Pi 5), part by part,
# as JSON for 'magicbooth bench --arm-counts FILE'. Needs /work/shared/tools/arm64 built with --with-plugins.
# Usage: tools/bench_arm.sh [--cpu cortex-a72] [--cpu cortex-a76] [--effect NAME] [--frames N] [--lores WxH|none]
#        [--root CHECKOUT] > counts.json          (--root: count another checkout, e.g. before a change)
# Each part is the MEAN instructions per frame over the counted frames (work done every few frames, such as
# a detection, is spread over them), all threads (tools/arm_markcount.py). --lores (default: [camera]
# analysis_size, 320x240) gives every frame picamera2's low-resolution stream, as a Pi camera does.
# PyAV is not in the guest venv: an aarch64 wheel matching the host's version is unpacked into a cache folder
# and put on the guest's import path (pip download of one wheel).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CPUS=() EFFECT="" FRAMES=10 LORES=320x240 CHECKOUT="$ROOT"
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) CPUS+=("$2"); shift 2 ;;
    --effect) EFFECT="$2"; shift 2 ;;
    --frames) FRAMES="$2"; shift 2 ;;
    --lores) LORES="$2"; shift 2 ;;
    --root) CHECKOUT="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "bench_arm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#CPUS[@]} -gt 0 ] || CPUS=(cortex-a72)
[ "$LORES" = none ] && LORES=""
PY="${PYTHON:-$ROOT/.venv/bin/python}"
AV="$("$PY" -c 'import av; print(av.__version__)')"
SITE="${XDG_CACHE_HOME:-$HOME/.cache}/magicbooth/arm-site-av-$AV"
if [ ! -d "$SITE/av" ]; then
  WHEELS="$(mktemp -d)"
  "$PY" -m pip download -q "av==$AV" --platform manylinux_2_28_aarch64 --platform manylinux_2_17_aarch64 \
    --only-binary=:all: --python-version 3.11 --no-deps -d "$WHEELS" >&2
  mkdir -p "$SITE" && "$PY" -m zipfile -e "$WHEELS"/av-*.whl "$SITE" && rm -rf "$WHEELS"
fi
RAN="$(mktemp)"; trap 'rm -f "$RAN"' EXIT
count() {  # count CPU PART [extra args] -> mean instructions per frame
  local cpu="$1"; shift
  "$PY" "$ROOT/tools/arm_markcount.py" --cpu "$cpu" --json --said "$RAN" -b "$CHECKOUT:/app" -b "$ROOT:/tools" \
    -b "$SITE:/armsite" -- /tools/tools/bench_arm.py --root /app --site /armsite --frames "$FRAMES" \
    ${EFFECT:+--effect "$EFFECT"} \
    ${LORES:+--lores "$LORES"} "$@" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["mean"])'
}
BY_CPU=""
for CPU in "${CPUS[@]}"; do
  echo "bench_arm.sh: counting on $CPU ..." >&2
  FRAME=$(count "$CPU" --part frame); MODELS="$(sed -n 's/^ran: //p' "$RAN" | tail -1)"
  EFFECT_N=$(count "$CPU" --part effect); ENCODE=$(count "$CPU" --part encode); HW=$(count "$CPU" --part encode-hw)
  FACES=$(count "$CPU" --part perception --needs faces); MESH=$(count "$CPU" --part perception --needs faces,mesh)
  MASK=$(count "$CPU" --part perception --needs mask)
  PARTS="{\"frame\": $FRAME, \"effect\": $EFFECT_N, \"encode libx264\": $ENCODE, \"encode h264_v4l2m2m (CPU side)\": $HW,
           \"detector\": $FACES, \"tracker (detector + landmarks)\": $MESH, \"segmenter\": $MASK}"
  [ -n "$BY_CPU" ] || FIRST_CPU="$CPU" FIRST_PARTS="$PARTS"
  BY_CPU="${BY_CPU:+$BY_CPU,
          }\"$CPU\": {\"parts\": $PARTS, \"models\": \"$MODELS\"}"
done
NAME="$(cd "$CHECKOUT" && "$PY" -c "
import sys; sys.argv=['x']
from magicbooth.bench.components import effect_name; print(effect_name('$EFFECT' or None))" 2>/dev/null)"
MANIFEST="$(sha256sum "$CHECKOUT/models_tflite/manifest.toml" | cut -c1-16)"
LORES_JSON="null"; [ -n "$LORES" ] && LORES_JSON="[${LORES/x/, }]"
cat <<JSON
{"schema": "magicbooth.arm-counts", "cpu": "$FIRST_CPU", "effect": "$NAME", "frames": $FRAMES, "lores": $LORES_JSON,
 "statistic": "mean", "manifest_sha256": "$MANIFEST", "measured": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "parts": $FIRST_PARTS,
 "by_cpu": {$BY_CPU}}
JSON
