#!/bin/sh
# Proves that pip installs every lock in tools/lock/ on each machine it is for, wheels only, hashes checked:
#   app.txt, dev.txt     CPython 3.11, 3.12 and 3.13 on x86_64 and aarch64 Linux (glibc 2.36, Debian 12)
#   pi-py311-*.txt       CPython 3.11 on aarch64, glibc 2.36 (Raspberry Pi OS Bookworm)
#   pi-py313-*.txt       CPython 3.13 on aarch64, glibc 2.41 (Raspberry Pi OS Trixie)
# It resolves with pip's --dry-run for the target's Python and platform tags (pip, unlike uv, honours
# upper bounds of Requires-Python), so nothing is installed here. pip checks a wheel's Requires-Python
# against the interpreter running it, so each version runs under python3.X where one works; without
# one, that check is left out (said in the output) and only the index's Requires-Python is applied.
# Usage: sh tools/check_wheels.sh [PYTHON]   (needs network access to the package index)
set -eu
cd "$(dirname "$0")/.."
py=${1:-python3}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

platforms() {  # $1: arch, $2: newest glibc minor
  printf -- '--platform manylinux2014_%s' "$1"
  for minor in $(seq 17 "$2"); do printf -- ' --platform manylinux_2_%s_%s' "$minor" "$1"; done
}

status=0
check() {  # $1: lock file, $2: Python version, $3: arch, $4: newest glibc minor
  interpreter="python$2" note=""
  if ! "$interpreter" -m pip --version >/dev/null 2>&1; then
    interpreter=$py note=" (no python$2 here: wheel metadata's Requires-Python not checked)"
  fi
  # shellcheck disable=SC2046
  if "$interpreter" -m pip install --dry-run --quiet --ignore-installed --no-deps --only-binary=:all: --require-hashes \
      --target "$dest/t" --python-version "$2" --implementation cp $(platforms "$3" "$4") \
      ${note:+--ignore-requires-python} -r "$1" >"$dest/log" 2>&1; then
    echo "ok    $1 py$2 $3$note"
  else
    echo "FAIL  $1 py$2 $3"; grep -E '^ERROR' "$dest/log" | head -3; status=1
  fi
}

for lock in tools/lock/app.txt tools/lock/dev.txt; do
  for ver in 3.11 3.12 3.13; do
    check "$lock" "$ver" x86_64 36
    check "$lock" "$ver" aarch64 36
  done
done
for kind in app dev; do
  check "tools/lock/pi-py311-$kind.txt" 3.11 aarch64 36
  check "tools/lock/pi-py313-$kind.txt" 3.13 aarch64 41
done
exit $status
