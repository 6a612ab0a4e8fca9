"""Try, from inside a unit's sandbox, what the unit should and should not reach; print one line per probe.

Run by tools/sandbox_check.sh through ``systemd-run`` with the unit's own sandbox settings (the same
properties ``magicbooth doctor --as-service`` uses). Standard library only (but ``gl``: pygame).

    python3 tools/sandbox_probe.py ROLE --s3 HOST:PORT --owned DIR   # ROLE: camera|booth|uploader|uploader-pinned
    .venv/bin/python tools/sandbox_probe.py gl                         # one frame through pygame: which GL?

Each line reads ``PASS|FAIL  probe: got X (want Y)``; the exit status is the number of FAILs. Device
nodes are stand-ins made with mknod by the check (this machine has no camera): opening one gives
ENXIO/ENODEV when the unit's device policy and groups let it through to the kernel, which then finds
no such device; EPERM when ``DevicePolicy=`` refuses it, EACCES when the groups do, ENOENT when the
unit has a private /dev.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import mmap
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

OK = "OK"
REACHED = {"ENXIO", "ENODEV", OK}   # through policy and permissions; the kernel has no such device here


def attempt(action: Callable[[], object]) -> str:
    """OK, or the errno name of the OSError the action raised."""
    try:
        action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return OK


def open_node(path: str, flags: int = os.O_RDONLY) -> Callable[[], None]:
    return lambda: os.close(os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC))


def sock(family: int, kind: int = socket.SOCK_STREAM, proto: int = 0) -> Callable[[], None]:
    return lambda: socket.socket(family, kind, proto).close()


def connect(host: str, port: int) -> Callable[[], None]:
    def run() -> None:
        with socket.create_connection((host, port), timeout=3):
            pass
    return run


def udp_to(host: str) -> Callable[[], None]:
    def run() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"x", (host, 9))
    return run


def write_file(path: str) -> Callable[[], None]:
    def run() -> None:
        with open(path, "w") as f:
            f.write("x")
        os.unlink(path)
    return run


def libc_call(name: str, *args: object) -> Callable[[], None]:
    libc = ctypes.CDLL(None, use_errno=True)

    def run() -> None:
        if getattr(libc, name)(*args) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    return run


def sched_fifo() -> None:
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))


def wx_mmap() -> None:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC).close()


def chown_root(state: str) -> Callable[[], None]:
    def run() -> None:
        path = Path(state) / f".probe-{os.getpid()}"
        path.write_text("x")
        try:
            os.chown(path, 0, 0)
        finally:
            path.unlink()
    return run


def other_users_processes() -> str:
    me = os.getuid()
    others = [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) not in (me, None)]
    return str(len(others))


def _owner(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def status_field(name: str) -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    return "?"


def credential() -> str:
    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    if not directory:
        return "none"
    path = Path(directory) / "s3.toml"
    try:
        text = path.read_text()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, "error")
    keys = [line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line]
    return f"mode {path.stat().st_mode & 0o777:04o} keys {','.join(keys) or '-'}"   # names only, never values


def probes(role: str, s3: tuple[str, int], state: str, owned: str
           ) -> list[tuple[str, Callable[[], str], set[str]]]:
    """(name, probe, accepted results) for the role: camera (headless), booth, uploader or uploader-pinned.

    uploader-pinned is the uploader with the drop-in the README suggests for a store at a fixed address
    (IPAddressDeny=any, IPAddressAllow=the store's): IP traffic anywhere else is refused. ``owned`` is a
    directory the service user owns outside its state directory: ProtectSystem=strict keeps it read-only.
    """
    camera = role in ("camera", "booth")
    other = "127.0.0.2" if s3[0] != "127.0.0.2" else "127.0.0.3"
    uploader = not camera
    inet = {OK} if uploader else {"EAFNOSUPPORT"}
    table: list[tuple[str, Callable[[], str], set[str]]] = [
        ("socket AF_INET", lambda: attempt(sock(socket.AF_INET)), inet),
        ("socket AF_INET6", lambda: attempt(sock(socket.AF_INET6)), inet),
        (f"connect to the S3 store {s3[0]}:{s3[1]}", lambda: attempt(connect(*s3)), inet),
        ("socket AF_NETLINK (udev monitor)",
         lambda: attempt(sock(socket.AF_NETLINK, socket.SOCK_RAW, 15)), {"EAFNOSUPPORT"} if uploader else {OK}),
        ("socket AF_PACKET", lambda: attempt(sock(socket.AF_PACKET, socket.SOCK_RAW)), {"EAFNOSUPPORT"}),
        ("socket AF_UNIX (sd_notify, D-Bus)", lambda: attempt(sock(socket.AF_UNIX, socket.SOCK_DGRAM)), {OK}),
        (f"UDP to {other} (an address other than the store's)", lambda: attempt(udp_to(other)),
         {"EPERM"} if role == "uploader-pinned" else {OK} if uploader else {"EAFNOSUPPORT"}),
        ("open /dev/vchiq (stand-in, DeviceAllow= path)", lambda: attempt(open_node("/dev/vchiq")),
         {"ENOENT"} if uploader else REACHED),
        ("open /dev/input/event99 (stand-in, char-input)", lambda: attempt(open_node("/dev/input/event99")),
         {"ENOENT"} if uploader else (REACHED if role == "booth" else {"EPERM"})),
        ("open /dev/sbx-kvm (a device no unit lists)", lambda: attempt(open_node("/dev/sbx-kvm", os.O_RDWR)),
         {"ENOENT"} if uploader else {"EPERM"}),
        ("write /usr", lambda: attempt(write_file("/usr/.probe")), {"EROFS"}),
        (f"write {owned} (the service user's, outside its state directory)",
         lambda: attempt(write_file(f"{owned}/.probe-{os.getpid()}")), {"EROFS"}),
        ("write /home", lambda: attempt(write_file("/home/.probe")), {"EACCES", "ENOENT", "EROFS"}),
        (f"write the state directory {state}", lambda: attempt(write_file(f"{state}/.probe-{os.getpid()}")), {OK}),
        ("read /etc/magicbooth/s3.toml (root's)", lambda: attempt(lambda: Path("/etc/magicbooth/s3.toml").read_bytes()),
         {"EACCES"}),
        ("$CREDENTIALS_DIRECTORY/s3.toml", credential,
         {"mode 0400 keys access_key_id,secret_access_key"} if uploader else {"none"}),
        ("processes of other users visible", other_users_processes, {"0"}),
        ("read /proc/cpuinfo (XNNPACK's cpuinfo)", lambda: attempt(lambda: Path("/proc/cpuinfo").read_bytes()),
         {"ENOENT"} if uploader else {OK}),
        # The booth leaves MemoryDenyWriteExecute= out: Mesa's llvmpipe needs it (systemd/README.md).
        ("writable+executable mmap", lambda: attempt(wx_mmap), {OK} if role == "booth" else {"EPERM"}),
        ("mount() (@mount, filtered)", lambda: attempt(libc_call("mount", b"none", b"/tmp", b"tmpfs", 0, None)),
         {"EPERM"}),
        ("chown to root", lambda: attempt(chown_root(state)), {"EPERM"}),
        ("unshare(CLONE_NEWUSER)", lambda: attempt(libc_call("unshare", 0x10000000)), {"EPERM"}),
        ("sched_setscheduler(SCHED_FIFO)", lambda: attempt(sched_fifo), {"EPERM"}),
        ("setuid(0)", lambda: attempt(libc_call("setuid", 0)), {"EPERM"}),
        ("capability bounding set", lambda: status_field("CapBnd"), {"0000000000000000"}),
        ("no_new_privs", lambda: status_field("NoNewPrivs"), {"1"}),
        ("seccomp", lambda: status_field("Seccomp"), {"2"}),
        ("umask", lambda: f"{status_field('Umask')}", {"0027"}),
    ]
    return table


def gl() -> int:
    """Draw one frame through pygame as the booth does; print the GL libraries that did it (0 if any)."""
    import pygame

    pygame.display.init()
    screen = pygame.display.set_mode((320, 240))
    screen.fill((200, 40, 40))
    pygame.display.flip()
    maps = Path("/proc/self/maps").read_text().splitlines()
    libs = sorted({line.rsplit("/", 1)[-1] for line in maps if "/" in line
                   and any(k in line.rsplit("/", 1)[-1] for k in ("EGL", "GLES", "GLdispatch", "glapi", "_dri.so"))})
    print(f"SDL {pygame.display.get_driver()} drew a frame through: {' '.join(libs) or 'no GL library'}", flush=True)
    pygame.display.quit()
    return 0 if any(lib.endswith("_dri.so") for lib in libs) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=("camera", "booth", "uploader", "uploader-pinned", "gl"),
                        help="gl: draw one frame with pygame and name the GL libraries used (needs pygame)")
    parser.add_argument("--s3", help="HOST:PORT of the S3 store")
    parser.add_argument("--state", default="/var/lib/magicbooth")
    parser.add_argument("--owned", help="a directory the service user owns, outside --state")
    args = parser.parse_args(argv)
    if args.role == "gl":
        return gl()
    if not args.s3 or not args.owned:
        parser.error("--s3 and --owned are needed for the sandbox probes")
    host, _, port = args.s3.rpartition(":")
    failures = 0
    for name, probe, accepted in probes(args.role, (host, int(port)), args.state, args.owned):
        got = probe()
        ok = got in accepted
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {got}" + ("" if ok else f" (want {' or '.join(sorted(accepted))})"),
              flush=True)
    return failures


if __name__ == "__main__":
    sys.exit(main())
