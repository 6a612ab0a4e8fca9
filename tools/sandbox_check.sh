#!/bin/bash
# Run magicbooth's three units for real under systemd 252 (Debian 12) in a container and show that
# they work inside their sandbox, not only that 'systemd-analyze security' rates them well.
#
#   sudo tools/sandbox_check.sh [--keep]
#
# What it does, in a container booted by systemd-box (systemd as PID 1, see its README):
#   1. installs this checkout into /opt/magicbooth/.venv with tools/bootstrap.sh, runs the real
#      'magicbooth install-service --mode headless' (then --mode booth) with the sample clip as camera;
#   2. headless: READY, watchdog pings arriving, a clip on SIGUSR1, the uploader sending it to a
#      SeaweedFS server (tests/seaweed.py, the weed binary of the dev extra), the watchdog restarting
#      the process once its loop is stalled (SIGSTOP), the same again with a refused system call
#      killing the process (SystemCallErrorNumber=kill) to show none is made, 'doctor --as-service';
#   3. uploader: keys through LoadCredential=, waiting (not failing) while the keys file is missing;
#   4. booth: READY (models and first frame), drawing through SDL's GLES2 renderer, EGL and Mesa (SDL's
#      offscreen driver and softpipe: the container has no screen or tty1), watchdog pings and restart,
#      and why it has no MemoryDenyWriteExecute= (Mesa's llvmpipe is killed by it);
#   5. probes run with each unit's sandbox (tools/sandbox_probe.py): what it may and may not reach;
#   6. 'systemd-analyze security' of the installed units, inside;
#   7. the hold-to-shutdown command ('systemctl poweroff') from the headless unit's sandbox: the
#      container powers off through logind and polkit (skipped with --keep).
# Device nodes for the camera, DRM, GPIO and sound do not exist here; stand-ins made with mknod show
# the device policy where this kernel knows the device class. On a Pi: magicbooth doctor --as-service.
#
# Env: SDBOX_DIR (systemd-box scripts; default ../shared/tools/systemd-box beside the checkout),
#      SDBOX_NAME (default magicbooth-check), SDBOX_ROOT (default /var/tmp/sdbox-magicbooth-check/rootfs).
# --keep leaves the container running for a look around (SDBOX_NAME=... $SDBOX_DIR/exec.sh).
# Exit status: 0 every check passed, 1 some check failed, 2 bad usage or setup, 77 skipped (no container
# can boot here; the reason is printed).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
keep=0
case "${1:-}" in
    --keep) keep=1 ;;
    "") ;;
    *) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

export SDBOX_NAME=${SDBOX_NAME:-magicbooth-check}
export SDBOX_ROOT=${SDBOX_ROOT:-/var/tmp/sdbox-magicbooth-check/rootfs}
VENV=/opt/magicbooth/.venv
MB=$VENV/bin/magicbooth
UNITS=/etc/systemd/system
HEADLESS=magicbooth-headless.service
BOOTH=magicbooth.service
UPLOAD=magicbooth-upload.service
passed=0
failed=0

say() { printf '%s\n' "$*"; }
section() { printf '\n== %s\n' "$*"; }
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
info() { printf 'INFO  %s\n' "$*"; }
skip() { printf 'SKIP  tools/sandbox_check.sh: %s\n' "$*"; exit 77; }
die() { printf 'sandbox_check: error: %s\n' "$*" >&2; exit 2; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
indent() { sed 's/^/      /'; }

# --- preflight -------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn boots the container); run it with sudo"
if [ -z "${SDBOX_DIR:-}" ]; then
    for d in "$REPO/../shared/tools/systemd-box" "$REPO/../../shared/tools/systemd-box"; do
        [ -x "$d/boot.sh" ] && { SDBOX_DIR=$(cd "$d" && pwd); break; }
    done
fi
[ -n "${SDBOX_DIR:-}" ] && [ -x "$SDBOX_DIR/boot.sh" ] \
    || skip "systemd-box not found (set SDBOX_DIR to the folder with setup.sh, boot.sh, exec.sh, stop.sh)"
WEED=$REPO/.venv/bin/weed
[ -x "$WEED" ] || WEED=$(command -v weed || true)
[ -n "$WEED" ] || die "no weed binary (the S3 server of the tests): sh tools/bootstrap.sh setup dev"

box() { "$SDBOX_DIR/exec.sh" -- "$@"; }
sh_in() { "$SDBOX_DIR/exec.sh" -- /bin/sh -c "$1"; }
prop() { box systemctl show -P "$2" "$1"; }
now() { box date +%s; }
journal() {  # journal UNIT SINCE_EPOCH [grep -E pattern]
    box journalctl -u "$1" --since "@$2" --no-pager -o short-precise -q | { grep -E "${3:-.}" || true; } \
        | sed -E 's/^[A-Z][a-z]{2} [0-9]+ ([0-9:.]+) [^ ]+ /\1 /' | cut -c1-200
}
wait_for() {  # wait_for SECONDS COMMAND...: poll once a second until COMMAND succeeds
    local limit=$1; shift
    local t=0
    until "$@" >/dev/null 2>&1; do
        t=$((t + 1))
        [ "$t" -le "$limit" ] || return 1
        sleep 1
    done
}
boot_box() {  # boot_box [-n]: boot.sh, tolerating its false "nspawn exited" (it can read /proc/PID/cmdline
              # while nspawn is still being exec'd): if systemd in the container comes up, carry on
    local state="" pid i
    if "$SDBOX_DIR/boot.sh" "$@" >/tmp/sandbox_check.boot.log 2>&1; then
        return 0
    fi
    for i in $(seq 60); do
        pid=$(pgrep -f -- "systemd-nspawn .*--machine=$SDBOX_NAME( |$)" | head -1 || true)
        [ -n "$pid" ] || break
        echo "$pid" >"${SDBOX_RUN:-/run/sdbox}/$SDBOX_NAME/nspawn.pid"
        state=$("$SDBOX_DIR/exec.sh" -- systemctl is-system-running 2>/dev/null || true)
        case "$state" in
            running|degraded)
                info "boot.sh reported a failure, but systemd in the container is $state: carrying on"
                return 0 ;;
        esac
        sleep 1
    done
    tail -5 /tmp/sandbox_check.boot.log
    return 1
}
stop_box() {  # stop_box: stop.sh; also a container of ours that boot.sh lost track of (same machine name)
    local pid
    "$SDBOX_DIR/stop.sh" >/dev/null 2>&1 || true
    pid=$(pgrep -f -- "systemd-nspawn .*--machine=$SDBOX_NAME( |$)" | head -1 || true)
    if [ -n "$pid" ]; then
        mkdir -p "${SDBOX_RUN:-/run/sdbox}/$SDBOX_NAME"
        echo "$pid" >"${SDBOX_RUN:-/run/sdbox}/$SDBOX_NAME/nspawn.pid"
        "$SDBOX_DIR/stop.sh" >/dev/null 2>&1 || true
    fi
}
cleanup() {
    if [ $keep = 1 ]; then
        say "container '$SDBOX_NAME' left running (--keep): SDBOX_NAME=$SDBOX_NAME $SDBOX_DIR/exec.sh"
    else
        stop_box
    fi
}

section "container: Debian 12 rootfs with systemd as PID 1 ($SDBOX_ROOT)"
extra=""
[ -x "$SDBOX_ROOT/usr/lib/polkit-1/polkitd" ] || extra="polkitd"   # hold-to-shutdown authorises through polkit
# Mesa (EGL, GLES, the software drivers): the booth draws through SDL's GLES2 renderer, as with kmsdrm on a Pi.
ls "$SDBOX_ROOT"/usr/lib/*/dri/swrast_dri.so >/dev/null 2>&1 \
    || extra="$extra libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri"
stop_box
if ! SDBOX_PACKAGES="$extra" "$SDBOX_DIR/setup.sh" >/tmp/sandbox_check.setup.log 2>&1; then
    tail -5 /tmp/sandbox_check.setup.log
    skip "cannot build the container's rootfs (log: /tmp/sandbox_check.setup.log)"
fi
trap cleanup EXIT
if ! boot_box; then
    skip "the container does not boot here (no systemd-nspawn, cgroup v2 or permission; log: /tmp/sandbox_check.boot.log)"
fi
info "$(box systemctl --version | head -1), $(box python3 --version)"

section "install: this checkout -> /opt/magicbooth, venv by tools/bootstrap.sh (network needed once)"
dst=$SDBOX_ROOT/opt/magicbooth
mkdir -p "$dst"
find "$dst" -mindepth 1 -maxdepth 1 ! -name .venv -exec rm -rf {} +
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then   # tracked and untracked files, not ignored ones
    git -C "$REPO" ls-files -z --cached --others --exclude-standard \
        | (cd "$REPO" && tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$dst" -xf -
else
    tar -C "$REPO" --exclude=./.venv --exclude=./.git --exclude='*.egg-info' -cf - . | tar -C "$dst" -xf -
fi
install -m 755 "$WEED" "$SDBOX_ROOT/usr/local/bin/weed"
if ! sh_in "cd /opt/magicbooth && sh tools/bootstrap.sh setup" >/tmp/sandbox_check.bootstrap.log 2>&1; then
    tail -20 /tmp/sandbox_check.bootstrap.log
    die "tools/bootstrap.sh failed in the container (log: /tmp/sandbox_check.bootstrap.log)"
fi
grep '^bootstrap:' /tmp/sandbox_check.bootstrap.log | indent || true
[ -x "$SDBOX_ROOT$MB" ] || die "no $MB after bootstrap"
say "      $(box "$MB" --version 2>/dev/null || echo magicbooth) in $VENV"
# From here on the container has only loopback: the S3 server and the uploader stay inside it.
stop_box
boot_box -n || skip "the container does not boot with -n (a private network)"
info "container rebooted with a private network (loopback only)"

section "machine: groups and stand-in device nodes as on a Pi, an S3 server, the config"
sh_in '
for g in render gpio input audio; do getent group $g >/dev/null || groupadd --system $g; done
mkdir -p /dev/input
mknod -m 660 /dev/input/event99 c 13 99 && chgrp input /dev/input/event99   # char-input
mknod -m 660 /dev/vchiq c 10 250 && chgrp video /dev/vchiq                 # a DeviceAllow= path
mknod -m 666 /dev/sbx-kvm c 10 232                                         # listed by no unit
for u in magicbooth.service magicbooth-headless.service magicbooth-upload.service; do
    systemctl disable --now $u >/dev/null 2>&1 || true; rm -f /etc/systemd/system/$u
done
rm -rf /var/lib/magicbooth /etc/magicbooth /var/tmp/sbx-seaweed /run/sbx-endpoint
systemctl daemon-reload'
info "device classes this kernel registers (others cannot be stood in): $(box awk '/^Block/{exit} $2~/^(video4linux|media|dma_heap|drm|gpiochip|alsa|input|misc)$/{printf "%s ", $2}' /proc/devices)"
box systemd-run --quiet --unit=sbx-seaweed --setenv=PYTHONPATH=/opt/magicbooth/tests "$VENV/bin/python" -c '
import pathlib, time
from seaweed import SeaweedServer
server = SeaweedServer(pathlib.Path("/var/tmp/sbx-seaweed")).start()
pathlib.Path("/run/sbx-endpoint").write_text(server.endpoint)
while server.proc.poll() is None:
    time.sleep(1)'
wait_for 90 box test -s /run/sbx-endpoint || { box journalctl -u sbx-seaweed --no-pager | tail -5; die "SeaweedFS did not start"; }
ENDPOINT=$(box cat /run/sbx-endpoint)
S3=${ENDPOINT#http://}
info "SeaweedFS S3 at $ENDPOINT (bucket clips), running as root outside any magicbooth sandbox"
sh_in "mkdir -p /etc/magicbooth && cat > /etc/magicbooth/config.toml <<EOF
# written by tools/sandbox_check.sh: the sample clip as camera, all three models in headless clips
[camera]
source = \"sample\"
[headless]
effect = \"kaiju\"
[upload]
endpoint = \"$ENDPOINT\"
bucket = \"clips\"
retry_min_s = 1.0
retry_max_s = 5.0
EOF"
box "$VENV/bin/python" -c '
import sys; sys.path.insert(0, "/opt/magicbooth/tests")
from seaweed import ACCESS_KEY, SECRET_KEY
open("/etc/magicbooth/s3.toml", "w").write(f"access_key_id = \"{ACCESS_KEY}\"\nsecret_access_key = \"{SECRET_KEY}\"\n")'
box chmod 644 /etc/magicbooth/s3.toml
info "/etc/magicbooth/s3.toml written $(box stat -c '%U:%G mode %a' /etc/magicbooth/s3.toml) (too open, on purpose)"

as_service() {  # as_service UNIT ARGV...: run ARGV with UNIT's sandbox, the way 'doctor --as-service' does
    local unit=$1; shift
    local prefix
    prefix=$(box "$MB" doctor --as-service "$UNITS/$unit" --print-command \
        | box python3 -c 'import shlex, sys; a = shlex.split(sys.stdin.read()); print(shlex.join(a[:a.index("--")]))')
    # shellcheck disable=SC2086
    sh_in "$prefix ${AS_SERVICE_EXTRA:-} -- $(printf '%q ' "$@")"
}
probe() {  # probe UNIT ROLE
    local out rc=0
    out=$(as_service "$1" /usr/bin/python3 /opt/magicbooth/tools/sandbox_probe.py "$2" --s3 "$S3" \
        --owned /srv/sbx-owned) || rc=$?
    printf '%s\n' "$out" | indent
    check "$1 sandbox ($2): $(printf '%s\n' "$out" | grep -c '^PASS') probes as expected, $rc not" [ "$rc" = 0 ]
}
ready() {  # ready UNIT: active/running after a Type=notify start
    [ "$(prop "$1" ActiveState)/$(prop "$1" SubState)" = active/running ]
}
start_timed() {  # start_timed UNIT: systemctl start (returns at READY=1) and print the seconds it took
    local t0 t1
    t0=$(date +%s%N)
    box systemctl reset-failed "$1" >/dev/null 2>&1 || true
    box systemctl start "$1" || true
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000000 )).$(( (t1 - t0) / 100000000 % 10 ))
}
watchdog_pings() {  # watchdog_pings UNIT: the last ping's time moves on (pings come every WatchdogSec/2)
    local w1 w2
    w1=$(prop "$1" WatchdogTimestampMonotonic)
    sleep 12
    w2=$(prop "$1" WatchdogTimestampMonotonic)
    say "      WatchdogTimestampMonotonic $w1 -> $w2 (WatchdogSec=$(prop "$1" WatchdogUSec))"
    [ "$w2" -gt "$w1" ]
}
stall_and_restart() {  # stall_and_restart UNIT: SIGSTOP the process; the watchdog must kill and restart it
    local unit=$1 pid restarts since newpid
    pid=$(prop "$unit" MainPID)
    restarts=$(prop "$unit" NRestarts)
    since=$(now)
    box kill -STOP "$pid"
    info "$unit: main process $pid stopped with SIGSTOP: its loop pings no more"
    wait_for 60 sh_in "[ \$(systemctl show -P NRestarts $unit) -gt $restarts ] && [ \$(systemctl show -P SubState $unit) = running ]" || true
    journal "$unit" "$since" 'Watchdog timeout|SIGABRT|Main process exited|Scheduled restart|Started|READY' | indent
    newpid=$(prop "$unit" MainPID)
    check "$unit: watchdog timeout, process $pid killed, restarted as $newpid and READY again" \
        sh_in "journalctl -u $unit --since @$since -q | grep -q 'Watchdog timeout' && [ '$newpid' != '$pid' ] && [ '$newpid' != 0 ] && [ \$(systemctl show -P SubState $unit) = running ]"
}
strict_dropin() {  # strict_dropin UNIT on|off: a refused system call kills the process instead of EPERM; the two
                  # hints the units refuse (OpenBLAS's mbind, Mesa's sched_setaffinity: both ignore EPERM) pass
    local d=/run/systemd/system/$1.d
    if [ "$2" = on ]; then
        sh_in "mkdir -p $d && printf '[Service]\nSystemCallErrorNumber=kill\nSystemCallFilter=mbind sched_setaffinity\n' > $d/zz-sandbox-check-kill.conf"
    else
        box rm -f "$d/zz-sandbox-check-kill.conf"
    fi
    box systemctl daemon-reload
}
record_clip() {  # record_clip: SIGUSR1, 5 s, SIGUSR1; prints the saved clip's id
    local since
    since=$(now)
    box systemctl kill -s SIGUSR1 --kill-who=main "$HEADLESS"
    sleep 5
    box systemctl kill -s SIGUSR1 --kill-who=main "$HEADLESS"
    wait_for 30 sh_in "journalctl -u $HEADLESS --since @$since -q | grep -q 'clip saved'" || return 1
    journal "$HEADLESS" "$since" 'recording clip|saved clip' | indent >&2
    journal "$HEADLESS" "$since" 'saved clip' | sed -E 's/.*saved clip ([^ ]+).*/\1/' | tail -1
}
doctor_ok() {  # doctor_ok OUTPUT
    printf '%s\n' "$1" | grep -qE '^ok +models .*XNNPACK' \
        && printf '%s\n' "$1" | grep -qE '^ok +upload +not checked: this sandbox has no network'
}
in_bucket() {  # in_bucket CLIP_ID: the clip's video is in the S3 bucket
    box "$VENV/bin/python" - "$ENDPOINT" "$1" <<'PY'
import sys
import botocore.session
sys.path.insert(0, "/opt/magicbooth/tests")
from seaweed import ACCESS_KEY, SECRET_KEY
client = botocore.session.Session().create_client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                                                  aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
keys = [o["Key"] for o in client.list_objects_v2(Bucket="clips").get("Contents", [])]
found = [k for k in keys if sys.argv[2] in k]
print("\n".join(f"      s3://clips/{k}" for k in found))
sys.exit(0 if any(k.endswith(".mp4") for k in found) else 1)
PY
}

section "install-service --mode headless (for real)"
since=$(now)
sh_in "$MB install-service --mode headless" 2>&1 | awk '/<<.EOF.$/ { print; skip = 1; next } /^EOF$/ { skip = 0; next } !skip' \
    | cut -c1-160 | indent || true
check "install-service --mode headless: units written and enabled" \
    box systemctl is-enabled --quiet "$HEADLESS" "$UPLOAD"
box install -d -o magicbooth -g magicbooth -m 755 /srv/sbx-owned   # for the probes: owned, yet read-only
check "the keys file is root's alone: $(box stat -c '%U:%G mode %a' /etc/magicbooth/s3.toml)" \
    [ "$(box stat -c '%U:%G %a' /etc/magicbooth/s3.toml)" = "root:root 600" ]

section "headless unit"
secs=$(start_timed "$HEADLESS")
journal "$HEADLESS" "$since" 'camera open|inference: loaded|effects ready|encoder|Started|cpuinfo' | indent
check "$HEADLESS: READY after ${secs} s ($(prop "$HEADLESS" StatusText))" ready "$HEADLESS"
check "$HEADLESS: every model runs on XNNPACK inside the sandbox (MemoryDenyWriteExecute=, /proc/cpuinfo)" \
    sh_in "journalctl -u $HEADLESS --since @$since -q | grep -q 'XNNPACK partition' && ! journalctl -u $HEADLESS --since @$since -q | grep -qE ' 0 XNNPACK partition|Error in cpuinfo'"
check "$HEADLESS: watchdog pings arrive from inside the sandbox" watchdog_pings "$HEADLESS"
clip=$(record_clip) || clip=""
check "$HEADLESS: clip ${clip:-?} recorded on SIGUSR1" [ -n "$clip" ]
if [ -n "$clip" ]; then
    wait_for 60 in_bucket "$clip" || true
    journal "$UPLOAD" "$since" 'upload|Started' | indent
    check "$UPLOAD: clip $clip is in the S3 bucket" in_bucket "$clip"
fi
probe "$HEADLESS" camera
say "      magicbooth doctor --as-service $UNITS/$HEADLESS:"
doctor=$(box "$MB" doctor --as-service "$UNITS/$HEADLESS" 2>&1 || true)
printf '%s\n' "$doctor" | grep -E '^(ok|warn|FAIL)' | cut -c1-170 | indent || true
check "doctor --as-service: the models load on XNNPACK; the upload check knows the unit has no network" \
    doctor_ok "$doctor"
stall_and_restart "$HEADLESS"

section "headless and uploader with SystemCallErrorNumber=kill: a refused call would kill them (but mbind, sched_setaffinity)"
strict_dropin "$HEADLESS" on
strict_dropin "$UPLOAD" on
since=$(now)
box systemctl reset-failed "$HEADLESS" "$UPLOAD" >/dev/null 2>&1 || true
box systemctl restart "$UPLOAD" || true
box systemctl restart "$HEADLESS" || true
clip2=$(record_clip) || clip2=""
[ -n "$clip2" ] && { wait_for 60 in_bucket "$clip2" || true; }
check "strict filter: READY, clip ${clip2:-?} recorded and uploaded, nothing killed by SIGSYS" \
    sh_in "[ -n '$clip2' ] && ! journalctl -u $HEADLESS -u $UPLOAD --since @$since -q | grep -q 'status=31/SYS' && [ \$(systemctl show -P SubState $HEADLESS) = running ] && [ \$(systemctl show -P SubState $UPLOAD) = running ]"
[ -n "$clip2" ] && in_bucket "$clip2" >/dev/null
strict_dropin "$HEADLESS" off
strict_dropin "$UPLOAD" off

section "uploader: keys through LoadCredential=, the network and nothing else"
probe "$UPLOAD" uploader
info "the uploader again, with the README's drop-in for a store at a fixed address: IPAddressDeny=any, IPAddressAllow=${S3%:*}"
AS_SERVICE_EXTRA="--property IPAddressDeny=any --property IPAddressAllow=${S3%:*}" probe "$UPLOAD" uploader-pinned
since=$(now)
box mv /etc/magicbooth/s3.toml /etc/magicbooth/s3.toml.away
box systemctl reset-failed "$UPLOAD" >/dev/null 2>&1 || true
box systemctl restart "$UPLOAD" || true
wait_for 20 sh_in "journalctl -u $UPLOAD --since @$since -q | grep -q 'upload paused'" || true
journal "$UPLOAD" "$since" 'paused|Started|Failed' | indent
check "$UPLOAD without the keys file: starts, and waits saying what to do" \
    sh_in "[ \$(systemctl show -P SubState $UPLOAD) = running ] && journalctl -u $UPLOAD --since @$since -q | grep -q 'credentials file not found'"
box mv /etc/magicbooth/s3.toml.away /etc/magicbooth/s3.toml
box systemctl restart "$UPLOAD" || true

section "install-service --mode booth (for real), then the booth unit"
since=$(now)
sh_in "$MB install-service --mode booth" 2>&1 | grep -E '^(systemctl|chown|chmod)' | indent || true
# The container has no screen and no tty1: SDL's offscreen driver instead of kmsdrm, still drawing through
# SDL's GLES2 renderer, EGL and Mesa; softpipe stands in for the Pi's GPU driver (neither makes code on the CPU).
sh_in "mkdir -p /run/systemd/system/$BOOTH.d && printf '[Service]\nEnvironment=SDL_VIDEODRIVER=offscreen SDL_FRAMEBUFFER_ACCELERATION=opengles2 GALLIUM_DRIVER=softpipe DRAW_USE_LLVM=0 SDL_AUDIODRIVER=dummy\nStandardInput=null\nTTYReset=no\nTTYVHangup=no\nTTYVTDisallocate=no\n' > /run/systemd/system/$BOOTH.d/zz-sandbox-check-console.conf && systemctl daemon-reload"
info "drop-in for the container (no screen, no tty1): SDL_VIDEODRIVER=offscreen with the GLES2 renderer on Mesa softpipe, StandardInput=null"
strict_dropin "$BOOTH" on
secs=$(start_timed "$BOOTH")
journal "$BOOTH" "$since" 'display|inference: loaded|effects ready|Started|status=' | indent
check "$BOOTH: READY after ${secs} s with SystemCallErrorNumber=kill ($(prop "$BOOTH" StatusText))" ready "$BOOTH"
check "$BOOTH: watchdog pings arrive from inside the sandbox" watchdog_pings "$BOOTH"
check "$BOOTH: draws through EGL and Mesa ($(box sh -c "grep -o '[^/]*_dri.so' /proc/$(prop "$BOOTH" MainPID)/maps | sort -u" | tr '\n' ' '))" \
    sh_in "grep -q '_dri.so' /proc/\$(systemctl show -P MainPID $BOOTH)/maps"
check "$BOOTH: still running, nothing killed by SIGSYS" \
    sh_in "[ \$(systemctl show -P NRestarts $BOOTH) = 0 ] && ! journalctl -u $BOOTH --since @$since -q | grep -q 'status=31/SYS'"
strict_dropin "$BOOTH" off
box systemctl restart "$BOOTH" || true
probe "$BOOTH" booth
stall_and_restart "$BOOTH"

section "why the booth has no MemoryDenyWriteExecute=: one frame through pygame and Mesa in its sandbox, plus MDWE"
mdwe_frame() {  # mdwe_frame DRIVER: one frame through pygame, EGL and Mesa DRIVER in the booth's sandbox plus MDWE
    AS_SERVICE_EXTRA="--property MemoryDenyWriteExecute=yes --property Environment=GALLIUM_DRIVER=$1 --property Environment=DRAW_USE_LLVM=0 --property Environment=SDL_VIDEODRIVER=offscreen --property Environment=SDL_FRAMEBUFFER_ACCELERATION=opengles2" \
        as_service "$BOOTH" "$VENV/bin/python" /opt/magicbooth/tools/sandbox_probe.py gl 2>&1 | grep 'drew a frame' || true
}
since=$(now)
soft=$(mdwe_frame softpipe)
llvm=$(mdwe_frame llvmpipe)
info "softpipe: ${soft:-no frame}"
info "llvmpipe: ${llvm:-no frame}; $(journal_line=$(box journalctl --since "@$since" -q --no-pager | grep -m1 'status=11/SEGV' | sed -E 's/^.*\]: //'); echo "${journal_line:-no crash logged}")"
check "MDWE: softpipe (no code made on the CPU, like the Pi's v3d) draws; llvmpipe (JIT) is killed by SIGSEGV" \
    sh_in "printf '%s' '$soft' | grep -q '_dri.so' && [ -z '$llvm' ] && journalctl --since @$since -q | grep -q 'status=11/SEGV'"

section "systemd-analyze security, inside ($(box systemd-analyze --version | head -1))"
for unit in "$BOOTH" "$HEADLESS" "$UPLOAD"; do
    line=$(box systemd-analyze security --no-pager "$unit" 2>/dev/null | tail -1)
    score=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+\.[0-9]+).*/\1/')
    check "$line" awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'
done

section "hold-to-shutdown: [gpio] shutdown_command from the headless unit's sandbox"
if [ $keep = 1 ]; then
    info "skipped with --keep (it powers the container off)"
else
    say "      $(as_service "$HEADLESS" busctl call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager CanPowerOff 2>&1) (logind's CanPowerOff through D-Bus, polkit rule of install-service)"
    as_service "$HEADLESS" systemctl poweroff 2>&1 | indent || true
    pid=$(cat "${SDBOX_RUN:-/run/sdbox}/$SDBOX_NAME/nspawn.pid" 2>/dev/null || echo 0)
    check "systemctl poweroff as the service user, from its sandbox: the container powered off" \
        wait_for 30 sh -c "! kill -0 $pid 2>/dev/null"
fi

printf '\n%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
