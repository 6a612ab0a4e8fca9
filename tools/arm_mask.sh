#!/usr/bin/env bash
# arm_mask.sh - ARM instructions per 640x480 frame of the mask path on Cortex-A72 (Pi 4) or A76.
# Needs /work/shared/tools/arm64 built with --with-plugins. The import name magicbooth is laid
# out as setuptools' package-dir does (device/ -> magicbooth, effects/ -> magicbooth.effects, ...)
# with symlinks beside the counting script (its folder is first on the import path), so any checkout
# can be counted: --root for "before".
# Usage: tools/arm_mask.sh [--cpu cortex-a72] [--root CHECKOUT] [--lores] [--frames N] [--set KEY=VALUE]...
# (--set: a [perception] option, e.g. mask_full_guide=true)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ARM="${ARM64_TOOLS:-/work/shared/tools/arm64}"
CPU=cortex-a72 ROOT="$HERE" LORES=full FRAMES=12 SETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) CPU="$2"; shift 2 ;;
    --root) ROOT="$(cd "$2" && pwd)"; shift 2 ;;
    --lores) LORES=lores; shift ;;
    --frames) FRAMES="$2"; shift 2 ;;
    --set) SETS+=("$2"); shift 2 ;;
    *) echo "arm_mask.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
SITE="$(mktemp -d)"
trap 'rm -rf "$SITE"' EXIT
mkdir -p "$SITE/magicbooth"
for entry in "$ROOT"/device/*; do ln -s "/app/device/$(basename "$entry")" "$SITE/magicbooth/$(basename "$entry")"; done
for pkg in effects models_tflite systemd; do ln -s "/app/$pkg" "$SITE/magicbooth/$pkg"; done
cp "$HERE/tools/arm_count_mask.py" "$SITE/count.py"
"$ARM/markrun.sh" --cpu "$CPU" --venv /opt/venv -b "$ROOT:/app" -b "$SITE:/site" -- \
  /site/count.py /app "$FRAMES" "$LORES" "${SETS[@]}"
