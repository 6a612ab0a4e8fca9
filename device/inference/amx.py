"""Keep XNNPACK's int8 kernels off Intel AMX tiles (x86-64 Linux with AMX only; a no-op on a Pi).

On a CPU with AMX (Sapphire Rapids and later) XNNPACK asks Linux for AMX tile
state at start-up and then runs int8 convolutions on AMX tiles. The tiles are
built for wide matrices; these models are mostly 16-32 channels at high
resolution, and their int8 invokes measured 1.2-1.3x slower on AMX than on the
AVX512-VNNI kernels XNNPACK falls back to when the permission is refused
(``python tools/bench_amx.py``). So, before the first interpreter exists, a
seccomp filter makes ``arch_prctl(ARCH_REQ_XCOMP_PERM)`` fail with EPERM for
every thread of this process. Float kernels do not use AMX and are unaffected.

The filter needs ``no_new_privs``: from then on this process and its children
cannot gain privileges through set-uid programs such as ``sudo``. magicbooth
runs none (``systemctl poweroff`` goes through logind), and nothing is
installed where AMX does not exist. ``MAGICBOOTH_XNNPACK_AMX=1`` keeps AMX,
for measuring the difference.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import struct
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_ENV = "MAGICBOOTH_XNNPACK_AMX"

_SYS_ARCH_PRCTL = 158
_SYS_SECCOMP = 317
_ARCH_GET_XCOMP_PERM = 0x1022
_ARCH_REQ_XCOMP_PERM = 0x1023
_XFEATURE_XTILEDATA = 18
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_AUDIT_ARCH_X86_64 = 0xC000003E
_EPERM = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06

_lock = threading.Lock()
_state: str | None = None  # None until decided: "denied", "kept", "absent" or "failed: ..."


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def has_amx(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True on x86-64 Linux whose CPU reports AMX int8."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return any(line.startswith("flags") and " amx_int8" in line for line in text.splitlines())


def _filter_program() -> bytes:
    """BPF: arch_prctl(ARCH_REQ_XCOMP_PERM, ...) on x86-64 returns EPERM; every other call is allowed."""
    def op(code: int, jt: int, jf: int, k: int) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)
    return b"".join([
        op(_LD_W_ABS, 0, 0, 4),                       # seccomp_data.arch
        op(_JEQ_K, 0, 5, _AUDIT_ARCH_X86_64),
        op(_LD_W_ABS, 0, 0, 0),                       # seccomp_data.nr
        op(_JEQ_K, 0, 3, _SYS_ARCH_PRCTL),
        op(_LD_W_ABS, 0, 0, 16),                      # low word of args[0]
        op(_JEQ_K, 0, 1, _ARCH_REQ_XCOMP_PERM),
        op(_RET_K, 0, 0, _RET_ERRNO | _EPERM),
        op(_RET_K, 0, 0, _RET_ALLOW),
    ])


def _install() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    program = ctypes.create_string_buffer(_filter_program())
    fprog = _SockFprog(len(program.raw) // 8, ctypes.cast(program, ctypes.c_void_p))
    # TSYNC: threads that already exist (capture, workers) get the filter too.
    if libc.syscall(_SYS_SECCOMP, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog)) != 0:
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER)")


def keep_xnnpack_off_amx() -> str:
    """Refuse AMX tile permission to this process, once, before XNNPACK starts; returns what happened."""
    global _state
    with _lock:
        if _state is None:
            _state = _decide()
            if _state == "denied":
                log.info("AMX tiles refused to XNNPACK: its int8 kernels run faster on AVX512-VNNI for these "
                         "models (%s=1 keeps AMX)", KEEP_ENV)
            elif _state.startswith("failed"):
                log.warning("could not keep XNNPACK off AMX (%s); int8 models may run slower", _state[8:])
        return _state


def state() -> str | None:
    """What ``keep_xnnpack_off_amx`` did in this process ("denied", "kept", "absent", "failed: ..."), or None."""
    return _state


def _decide() -> str:
    if not has_amx():
        return "absent"
    if os.environ.get(KEEP_ENV, "") not in ("", "0"):
        return "kept"
    try:
        _install()
    except (OSError, AttributeError) as exc:
        return f"failed: {exc}"
    return "denied"


def tile_permission_granted() -> bool:
    """Whether this process may use AMX tile data (ARCH_GET_XCOMP_PERM): for tests and diagnostics."""
    if not has_amx():
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    mask = ctypes.c_uint64(0)
    if libc.syscall(_SYS_ARCH_PRCTL, _ARCH_GET_XCOMP_PERM, ctypes.byref(mask)) != 0:
        return False
    return bool(mask.value & (1 << _XFEATURE_XTILEDATA))
