"""Shared pieces for the mode tests: a synthetic camera that can be unplugged, the real recorder, a clock."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from magicbooth.core.config import Config
from magicbooth.core.errors import CameraError
from magicbooth.core.frames import Frame
from magicbooth.recording.recorder import Recorder
from magicbooth.service.notify import Notifier


class SyntheticCamera:
    """Moving-gradient frames; ``unplugged`` makes reads and opens raise CameraError, like a pulled cable.

    It has the ``FrameSource`` surface the pipeline uses (open, read, close, size, fps, is_live, describe).
    """

    def __init__(self, size: tuple[int, int] = (160, 120), fps: float = 30.0, *, realtime: bool = False) -> None:
        self.size = size
        self.fps = fps
        self.realtime = realtime
        self.unplugged = False
        self.opens = 0
        self._index = 0

    is_live = True   # a camera: frames come whether or not anyone reads them

    def open(self) -> SyntheticCamera:
        if self.unplugged:
            raise CameraError("synthetic camera: no camera on the bus")
        self.opens += 1
        return self

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"synthetic camera {self.size[0]}x{self.size[1]}"

    def read(self) -> Frame:
        if self.unplugged:
            raise CameraError("synthetic camera: timed out waiting for a frame")
        if self.realtime:
            time.sleep(1 / self.fps)
        w, h = self.size
        x = (np.arange(w, dtype=np.uint16)[None, :] + (self._index * 4) % 256) % 256
        image = np.empty((h, w, 3), np.uint8)
        image[..., 0] = x
        image[..., 1] = np.arange(h, dtype=np.uint8)[:, None] * 2
        image[..., 2] = 128
        frame = Frame(image, self._index / self.fps, self._index)
        self._index += 1
        return frame


def open_recorder(config: Config, root: Path, size: tuple[int, int] = (160, 120), fps: int = 30) -> Recorder:
    """The real recorder on ``root``, open (close it at the end of the test)."""
    return Recorder(config, size, fps, root=root, recover=False).open()


class ManualClock:
    """A monotonic clock the test advances, so timers need no sleeping."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Systemd:
    """A notify socket read in the background, as systemd reads it."""

    def __init__(self, tmp_path: Path) -> None:
        self.path = str(tmp_path / "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.1)
        self.messages: list[str] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._listen)
        self._thread.start()

    def _listen(self) -> None:
        while not self._done.is_set():
            with contextlib.suppress(TimeoutError):
                self.messages.append(self.sock.recv(4096).decode())

    def notifier(self) -> Notifier:
        return Notifier({"NOTIFY_SOCKET": self.path, "WATCHDOG_USEC": "500000"})

    def close(self) -> None:
        time.sleep(0.2)
        self._done.set()
        self._thread.join()
        self.sock.close()


class PressThenTerm(threading.Thread):
    """Press the record button twice, then SIGTERM this process, as an operator and systemd would.

    Call ``finished()`` when the code under test returned: a SIGTERM still pending is then not
    sent, so an early return fails the test instead of killing pytest.
    """

    def __init__(self, pins: Any, delays: tuple[float, float, float]) -> None:
        super().__init__()
        self.pins, self.delays = pins, delays
        self._finished = threading.Event()
        self.start()

    def run(self) -> None:
        button = self.pins.pin("GPIO17")
        for delay in self.delays[:2]:
            if self._finished.wait(delay):
                return
            button.drive_low()
            button.drive_high()
        if not self._finished.wait(self.delays[2]):
            os.kill(os.getpid(), signal.SIGTERM)

    def finished(self) -> None:
        self._finished.set()
        self.join()
