"""Shared pieces for the mode tests: a synthetic camera that can be unplugged, the real recorder, a clock."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from device.config import Config
from device.errors import CameraError
from device.frames import Frame
from device.recorder import Recorder


class SyntheticCamera:
    """Moving-gradient frames; ``unplugged`` makes reads and opens raise CameraError, like a pulled cable."""

    def __init__(self, size: tuple[int, int] = (160, 120), fps: float = 30.0, *, realtime: bool = False) -> None:
        self.size = size
        self.fps = fps
        self.realtime = realtime
        self.unplugged = False
        self.opens = 0
        self._index = 0

    def open(self) -> SyntheticCamera:
        if self.unplugged:
            raise CameraError("synthetic camera: no camera on the bus")
        self.opens += 1
        return self

    def __enter__(self) -> SyntheticCamera:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

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
