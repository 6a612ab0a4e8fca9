"""sd_notify against a real AF_UNIX datagram socket, as systemd would listen."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from magicbooth.service.notify import Notifier, WatchdogGate


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2.0)
    yield sock, path
    sock.close()


def received(sock: socket.socket) -> list[str]:
    """Every datagram waiting on the socket, without blocking."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        pass
    finally:
        sock.settimeout(2.0)
    return out


def test_ready_status_watchdog_stopping(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    assert n.enabled and n.watchdog_s == 4.0 and not n.is_ready
    n.ready("camera and models up")
    assert sock.recv(4096).decode() == "READY=1\nSTATUS=camera and models up"
    assert n.is_ready
    n.watchdog()
    assert sock.recv(4096) == b"WATCHDOG=1"
    n.status("recording")
    assert sock.recv(4096) == b"STATUS=recording"
    n.stopping()
    assert sock.recv(4096) == b"STOPPING=1"
    n.close()


def test_abstract_socket_address() -> None:
    name = f"magicbooth-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2.0)
    try:
        Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(4096) == b"READY=1"
    finally:
        sock.close()


def test_noop_outside_systemd() -> None:
    n = Notifier({})
    assert not n.enabled and n.watchdog_s == 0
    assert n.notify("READY=1") is False
    n.ready()
    n.watchdog()
    n.stopping()
    gate = WatchdogGate(n, stall_s=1.0)
    gate.frame_seen()
    assert gate.tick() is False


def test_watchdog_for_another_pid_is_ignored(listener: tuple[socket.socket, str]) -> None:
    _, path = listener
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert n.watchdog_s == 0


def test_unreachable_socket_does_not_raise(tmp_path: Path) -> None:
    assert Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")}).notify("READY=1") is False


def test_watchdog_pings_only_while_frames_flow(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    now = [100.0]
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"})
    gate = WatchdogGate(n, stall_s=0.5, clock=lambda: now[0])
    gate.frame_seen(now[0])
    assert gate.tick() is False            # not before READY
    n.ready()
    assert received(sock) == ["READY=1"]
    # 3 s of frames at 10 fps: pings every half watchdog period (1 s).
    for _ in range(30):
        gate.frame_seen(now[0])
        gate.tick()
        now[0] += 0.1
    flowing = received(sock)
    assert flowing and set(flowing) == {"WATCHDOG=1"}
    assert 2 <= len(flowing) <= 4
    assert gate.pings == len(flowing)
    # The source stalls: within stall_s a ping may still go out, after it none does.
    for _ in range(6):
        gate.tick()
        now[0] += 0.1
    assert len(received(sock)) <= 1
    for _ in range(50):
        gate.tick()
        now[0] += 0.1
    assert not gate.frames_flowing
    assert received(sock) == []
    # Frames return: pings resume.
    gate.frame_seen(now[0])
    assert gate.tick() is True
    assert received(sock) == ["WATCHDOG=1"]


def test_a_full_socket_queue_never_blocks(listener: tuple[socket.socket, str]) -> None:
    """Nobody reads the socket (systemd hung): sends fail fast instead of stalling the main loop."""
    _, path = listener
    n = Notifier({"NOTIFY_SOCKET": path})
    results = [n.notify("WATCHDOG=1") for _ in range(500)]
    assert results[0] is True and results[-1] is False
