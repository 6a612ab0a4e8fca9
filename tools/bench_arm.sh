#!/usr/bin/env bash
# bench_arm.sh - ARM instructions per booth frame on one emulated core, part by part, and per model (the int8
# graph the loader picks on that core against the float reference), as JSON for
# 'magicbooth bench --arm-counts FILE' (give one file per core). Needs /work/shared/tools/arm64 built with
# --with-plugins.
# Usage: tools/bench_arm.sh [--cpu cortex-a72|cortex-a76] [--effect NAME] [--frames N] > counts.json
# PyAV is not in the guest venv: an aarch64 wheel matching the host's version is unpacked into a
# cache folder and put on the guest's import path (pip download of one wheel). The package is staged as
# a symlink tree (tools/staged_package.py) and this checkout bound at its own path, so the links resolve.
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
STAGED="$(mktemp -d)"; LOG="$(mktemp)"
trap 'rm -rf "$STAGED" "$LOG"' EXIT
"$PY" -c "import sys; sys.path.insert(0, '$ROOT'); from pathlib import Path
from tools.staged_package import stage; stage(Path('$STAGED'))"
guest() {  # guest ARGS... -> the markcount log of tools/bench_arm.py ARGS under the plugin
  "$ARM/run.sh" --cpu "$CPU" -e OPENBLAS_NUM_THREADS=1 -e PYTHONHASHSEED=0 -e SDL_VIDEODRIVER=dummy \
    -b "$ROOT:$ROOT" -b "$STAGED:$STAGED" -b "$SITE:/armsite" --plugin markcount -- \
    /opt/venv/bin/python "$ROOT/tools/bench_arm.py" --site "$STAGED" --site /armsite "$@" > "$LOG" 2>&1 \
    || { tail -5 "$LOG" >&2; exit 1; }
}
pairs() {  # the instructions between marker pairs 10+2i / 11+2i in $LOG, less the markers' own cost (3, 4)
  python3 - "$LOG" <<'PY'
import re, sys
m = {}
for line in open(sys.argv[1]):
    r = re.match(r"markcount: mark tag=(\d+) vcpu=\d+ thread_insns=(\d+) all_insns=(\d+)", line)
    if r: m[int(r[1])] = int(r[3])
ov = m[4] - m[3] if 3 in m and 4 in m else 0
i = 0
while 10 + 2 * i in m and 11 + 2 * i in m:
    print(m[11 + 2 * i] - m[10 + 2 * i] - ov); i += 1
PY
}
count() {  # count PART [extra args] -> median instructions per frame
  guest --frames "$FRAMES" ${EFFECT:+--effect "$EFFECT"} "$@"
  pairs | sort -n | awk '{v[NR]=$1} END {if (NR == 0) exit 1; print v[int((NR + 1) / 2)]}'
}
FRAME=$(count --part frame); EFFECT_N=$(count --part effect); ENCODE=$(count --part encode)
FACES=$(count --part perception --needs faces); MESH=$(count --part perception --needs faces,mesh)
MASK=$(count --part perception --needs mask)
guest --part models
CLASS="$(sed -n 's/^cpu class \([a-z0-9_]*\).*/\1/p' "$LOG" | head -1)"
MODELS="$(paste -d' ' <(sed -n 's/^pair [0-9]*: //p' "$LOG") <(pairs) | python3 -c '
import json, sys
found = {}
for line in sys.stdin:
    name, variant, count = line.split()
    found.setdefault(name, {})["float" if variant == "float" else "int8"] = int(count)
    if variant != "float":
        found[name]["variant"] = variant
print(json.dumps(found, sort_keys=True))')"
NAME="$(cd "$ROOT" && "$PY" -c "
import sys; sys.argv=['x']
from magicbooth.bench.components import effect_name; print(effect_name('$EFFECT' or None))" 2>/dev/null)"
MANIFEST="$(sha256sum "$ROOT/models_tflite/manifest.toml" | cut -c1-16)"
cat <<JSON
{"schema": "magicbooth.arm-counts", "cpu": "$CPU", "cpu_class": "$CLASS", "effect": "$NAME", "frames": $FRAMES,
 "manifest_sha256": "$MANIFEST", "measured": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "parts": {"frame": $FRAME, "effect": $EFFECT_N, "encode libx264": $ENCODE,
           "detector": $FACES, "tracker (detector + landmarks)": $MESH, "segmenter": $MASK},
 "models": $MODELS}
JSON
