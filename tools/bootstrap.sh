#!/bin/sh
# Set up .venv from this checkout's own files, then run magicbooth or its tests.
#
#   sh tools/bootstrap.sh run  [magicbooth run options]   # the booth on the embedded default
#   sh tools/bootstrap.sh test [pytest options]           # the test suite, headless
#   sh tools/bootstrap.sh setup [EXTRAS]                  # only install (e.g. EXTRAS=dev,models)
#
# POSIX sh only: a fresh Raspberry Pi OS Lite image has no make and no compiler.
# On a Raspberry Pi (detected from /proc/device-tree/model) it installs
# python3-picamera2 and python3-lgpio from apt and creates the venv with
# --system-site-packages so the system picamera2 is importable; it also pins
# numpy to the system's version, because apt's picamera2 (simplejpeg, pidng)
# is compiled against it.
set -eu

cd "$(dirname "$0")/.."
VENV=${MAGICBOOTH_VENV:-.venv}
PYTHON=${PYTHON:-python3}
say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    die "need root for: $* (run as root or install sudo)"; fi
}

is_pi() { grep -qs "Raspberry Pi" /proc/device-tree/model; }

apt_install_missing() {
  missing=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  [ -z "$missing" ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages:$missing, and no apt-get to install them"
  say "installing from apt:$missing"
  as_root apt-get update -q
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install Python 3.11 or newer"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "$("$PYTHON" -V 2>&1) is too old; magicbooth needs Python 3.11 or newer"

venv_flags=""
constraints=""
if is_pi; then
  say "Raspberry Pi detected: $(tr -d '\0' </proc/device-tree/model)"
  apt_install_missing python3-venv python3-pip python3-picamera2 python3-lgpio
  venv_flags="--system-site-packages"
  sys_numpy=$("$PYTHON" -c 'import numpy; print(numpy.__version__)' 2>/dev/null || true)
  if [ -n "$sys_numpy" ]; then
    constraints="$VENV/constraints.txt"
  fi
elif ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_install_missing python3-venv
fi

if [ -x "$VENV/bin/python" ] && [ -n "$venv_flags" ] \
   && ! grep -qs "include-system-site-packages = true" "$VENV/pyvenv.cfg"; then
  say "recreating $VENV with --system-site-packages (needed for picamera2)"
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  # shellcheck disable=SC2086
  "$PYTHON" -m venv $venv_flags "$VENV"
fi
[ -n "$constraints" ] && printf 'numpy==%s\n' "$sys_numpy" > "$constraints"

install() {  # $1: extras ("" for the app alone)
  spec="."
  [ -n "$1" ] && spec=".[$1]"
  stamp="$VENV/.installed-$(printf '%s' "$1" | tr ',' '-')-$(cat pyproject.toml ${constraints:+"$constraints"} \
    | cksum | cut -d' ' -f1)"
  [ -f "$stamp" ] && return 0
  say "installing magicbooth${1:+ with $1} into $VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pip install --quiet ${constraints:+--constraint "$constraints"} -e "$spec" \
    || die "pip install failed (see above); check the network and rerun"
  rm -f "$VENV"/.installed-"$(printf '%s' "$1" | tr ',' '-')"-*
  touch "$stamp"
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    install ""
    exec "$VENV/bin/magicbooth" run "$@" ;;
  test)
    install "dev"
    # tests/test_units.py runs 'systemd-analyze verify' on the unit files (part of Debian's systemd package).
    if ! command -v systemd-analyze >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
      ( apt_install_missing systemd ) || say "no systemd-analyze: the unit-file checks will be skipped"
    fi
    export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
    exec "$VENV/bin/python" -m pytest "$@" ;;
  setup)
    install "${1:-}" ;;
  *)
    die "unknown command '$cmd'; use run, test or setup" ;;
esac
