#!/bin/sh
# Proves that every runtime dependency range in pyproject.toml has aarch64 wheels
# for CPython 3.11, 3.12 and 3.13 (the Pythons of Raspberry Pi OS Bookworm/Trixie).
# Usage: sh tools/check_wheels.sh [PYTHON]   (needs network access to the package index)
set -eu
py=${1:-python3}
deps=$("$py" -c 'import tomllib;print("\n".join(tomllib.load(open("pyproject.toml","rb"))["project"]["dependencies"]))')
dest=$(mktemp -d)
# Bookworm has glibc 2.36: every manylinux tag up to 2_36 installs there.
platforms="--platform manylinux2014_aarch64"
for minor in $(seq 17 36); do platforms="$platforms --platform manylinux_2_${minor}_aarch64"; done
status=0
for ver in 3.11 3.12 3.13; do
  echo "$deps" | while IFS= read -r req; do
    if "$py" -m pip download --quiet --no-deps --only-binary=:all: --dest "$dest" \
        --python-version "$ver" --implementation cp \
        $platforms --platform any "$req" >/dev/null 2>&1; then
      echo "ok    py$ver $req"
    else
      echo "MISS  py$ver $req"; echo miss >> "$dest/.missing"
    fi
  done
done
[ -f "$dest/.missing" ] && status=1
ls "$dest"
rm -rf "$dest"
exit $status
