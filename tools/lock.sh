#!/bin/sh
# Refresh the lock files in tools/lock/ that tools/bootstrap.sh installs from (every package pinned, with
# sha256 hashes). pyproject.toml keeps the ranges for people who install magicbooth as a library; the lock
# is what a booth, a developer and CI install.
#
#   sh tools/lock.sh           # re-resolve: the newest versions inside pyproject.toml's ranges
#   sh tools/lock.sh --keep    # keep the current pins where they still fit (after adding a dependency)
#
# Needs network access to PyPI. It fetches uv (pinned below) into a throwaway venv; nothing it fetches is
# used at install time. Targets:
#   app.txt, dev.txt            any Linux PC (x86_64 or aarch64), CPython 3.11-3.13; dev = tests + model tools.
#                               The packages that decide the model bytes (models_tflite/manifest.toml [build])
#                               are pinned to the recorded versions, so the shipped models rebuild byte for byte.
#                               To move them: install the new versions, python tools/build_models.py (it
#                               rewrites [build]), then run this script.
#   pi-py311-*.txt              Raspberry Pi OS Bookworm: CPython 3.11, glibc 2.36, apt's numpy 1.24.2
#   pi-py313-*.txt              Raspberry Pi OS Trixie: CPython 3.13, glibc 2.41, apt's numpy 2.2.4
#                               numpy is not in the Pi locks: it comes from apt (picamera2's extensions are
#                               built against it); the locks are resolved against that version.
set -eu

UV_VERSION=0.13.9
cd "$(dirname "$0")/.."
say() { printf 'lock: %s\n' "$*" >&2; }

upgrade="--upgrade"
case "${1:-}" in
  "") ;;
  --keep) upgrade="" ;;
  *) say "usage: sh tools/lock.sh [--keep]"; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say "fetching uv $UV_VERSION into a throwaway venv"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "uv==$UV_VERSION"
uv="$work/venv/bin/uv"

# Installed into the venv too: pip itself, and setuptools to build the project without build isolation.
printf 'pip\nsetuptools>=77\n' > "$work/tooling.in"
# uv ignores upper bounds of Requires-Python; these releases have one below 3.11 (pip would refuse them).
printf 'backports-strenum<1.3\n' > "$work/python-bounds.txt"
python3 - > "$work/build.txt" <<'EOF'
import tomllib
build = tomllib.load(open("models_tflite/manifest.toml", "rb"))["build"]
names = {"ai_edge_litert": "ai-edge-litert", "numpy": "numpy", "opencv": "opencv-python-headless",
         "scikit_image": "scikit-image", "matplotlib": "matplotlib"}
for key, name in names.items():
    print(f"{name}=={build[key]}")
EOF

compile() {  # $1: output file; the rest: uv pip compile options
  out=$1
  shift
  # shellcheck disable=SC2086
  "$uv" pip compile --quiet --generate-hashes --only-binary :all: --no-strip-markers $upgrade \
    --custom-compile-command "sh tools/lock.sh" -c "$work/python-bounds.txt" pyproject.toml "$work/tooling.in" \
    "$@" -o "$out"
}

mkdir -p tools/lock
say "PC (x86_64 and aarch64, CPython 3.11-3.13)"
compile tools/lock/dev.txt --extra dev --extra models --universal --python-version 3.11 \
  --fork-strategy fewest -c "$work/build.txt"
compile tools/lock/app.txt --universal --python-version 3.11 --fork-strategy fewest -c tools/lock/dev.txt

for target in "py311 3.11 aarch64-manylinux_2_36 1.24.2 Bookworm" "py313 3.13 aarch64-manylinux_2_40 2.2.4 Trixie"; do
  # shellcheck disable=SC2086
  set -- $target
  say "Raspberry Pi OS $5 (CPython $2, numpy $4 from apt)"
  printf 'numpy==%s\n' "$4" > "$work/numpy.txt"
  compile "tools/lock/pi-$1-dev.txt" --extra dev --extra models --python-version "$2" --python-platform "$3" \
    -c "$work/numpy.txt" --no-emit-package numpy
  compile "tools/lock/pi-$1-app.txt" --python-version "$2" --python-platform "$3" \
    -c "$work/numpy.txt" -c "tools/lock/pi-$1-dev.txt" --no-emit-package numpy
  for kind in app dev; do  # bootstrap.sh checks the system numpy against this line
    file="tools/lock/pi-$1-$kind.txt"
    { printf '# system numpy: %s (python3-numpy from apt, Raspberry Pi OS %s)\n' "$4" "$5"; cat "$file"; } \
      > "$work/with-header" && mv "$work/with-header" "$file"
  done
done
say "checking that pip installs every lock on each of its targets"
sh tools/check_wheels.sh
say "wrote tools/lock/*.txt; commit them, then: sh tools/bootstrap.sh test"
