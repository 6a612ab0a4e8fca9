#!/bin/sh
# Set up .venv from this checkout's own files, then run magicbooth or its tests.
#
#   sh tools/bootstrap.sh run  [magicbooth run options]   # the booth on the embedded default
#   sh tools/bootstrap.sh test [pytest options]           # the test suite, headless
#   sh tools/bootstrap.sh setup [EXTRAS]                  # only install (e.g. EXTRAS=dev,models)
#
# POSIX sh only: a fresh Raspberry Pi OS Lite image has no make and no compiler.
# Every package comes from a lock file in tools/lock/ (exact versions and sha256 hashes; refreshed with
# sh tools/lock.sh): app.txt for the app, dev.txt for the tests and model tools (dev and models extras).
# When the lock changes, the venv is made anew, so it holds exactly what the lock says; magicbooth
# itself is then installed editable with --no-deps.
# On a Raspberry Pi (detected from /proc/device-tree/model) it installs
# python3-picamera2 and python3-lgpio from apt and creates the venv with
# --system-site-packages so the system picamera2 is importable; numpy then
# comes from apt too, because apt's picamera2 (simplejpeg, pidng) is compiled
# against it, and the Pi's lock (tools/lock/pi-py311-*.txt on Bookworm,
# pi-py313-*.txt on Trixie) was resolved against that numpy.
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
lock_prefix=""
if is_pi; then
  say "Raspberry Pi detected: $(tr -d '\0' </proc/device-tree/model)"
  apt_install_missing python3-venv python3-pip python3-picamera2 python3-lgpio
  venv_flags="--system-site-packages"
  lock_prefix="pi-$("$PYTHON" -c 'import sys; print("py%d%d" % sys.version_info[:2])')-"
  [ -f "tools/lock/${lock_prefix}app.txt" ] \
    || die "no lock for $("$PYTHON" -V 2>&1) on a Raspberry Pi: tools/lock/ has Bookworm's Python 3.11 and Trixie's 3.13"
  sys_numpy=$("$PYTHON" -c 'import numpy; print(numpy.__version__)' 2>/dev/null || true)
  lock_numpy=$(sed -n 's/^# system numpy: \([^ ]*\).*/\1/p' "tools/lock/${lock_prefix}app.txt")
  [ "$sys_numpy" = "$lock_numpy" ] || die "tools/lock/${lock_prefix}app.txt was resolved against apt's numpy \
$lock_numpy, but the system has ${sys_numpy:-no numpy}: install python3-numpy with apt, or refresh the lock \
(sh tools/lock.sh on a PC, after changing the numpy version in it)"
elif ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_install_missing python3-venv
fi

sum_of() { cat "$@" | cksum | cut -d' ' -f1; }

make_venv() {
  if [ -f "$VENV/pyvenv.cfg" ]; then
    say "recreating $VENV: $1"
    rm -rf "$VENV"
  elif [ -e "$VENV" ]; then
    die "$VENV exists but is not a venv; move it away or set MAGICBOOTH_VENV"
  else
    say "creating $VENV"
  fi
  # shellcheck disable=SC2086
  "$PYTHON" -m venv $venv_flags "$VENV"
}

install() {  # $1: extras ("" for the app alone)
  kind=app
  for extra in $(printf '%s' "$1" | tr ',' ' '); do
    case "$extra" in
      dev|models) kind=dev ;;  # dev.txt holds the dev and the models extras
      *) die "the '$extra' extra is not in the lock (tools/lock/ has the app, dev and models); after setup, \
install it unlocked with: $VENV/bin/pip install -e '.[$extra]'" ;;
    esac
  done
  lock="tools/lock/${lock_prefix}$kind.txt"
  dev_lock="tools/lock/${lock_prefix}dev.txt"
  [ -f "$lock" ] || die "$lock is missing; run sh tools/lock.sh to make it"
  # dev.txt pins every app package at the app's version, so a venv made from it serves the app too.
  if [ -f "$VENV/.lock-$kind-$(sum_of "$lock")" ]; then :
  elif [ "$kind" = app ] && [ -f "$VENV/.lock-dev-$(sum_of "$dev_lock")" ]; then lock=$dev_lock
  else
    make_venv "it was not made from the current $lock"
    say "installing $lock into $VENV"
    # --no-deps: the lock is the whole environment (pip and setuptools included).
    "$VENV/bin/python" -m pip install --quiet --require-hashes --no-deps --only-binary :all: -r "$lock" \
      || die "pip install -r $lock failed (see above); check the network and rerun"
    touch "$VENV/.lock-$kind-$(sum_of "$lock")"
  fi
  project="$VENV/.project-$(sum_of pyproject.toml)"
  [ -f "$project" ] && return 0
  say "installing magicbooth (editable, --no-deps) into $VENV"
  "$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e . \
    || die "pip install -e . failed (see above)"
  if [ -z "$venv_flags" ]; then  # the Pi's venv sees the system's packages too: pip check would judge those
    "$VENV/bin/python" -m pip check >&2 || die "$lock does not satisfy pyproject.toml; refresh it: sh tools/lock.sh"
  fi
  rm -f "$VENV"/.project-*
  touch "$project"
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
