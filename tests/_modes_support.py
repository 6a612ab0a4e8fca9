"""Shared pieces for the mode tests: a synthetic camera that can be unplugged, and a small real recorder.

``ClipWriter`` is a real (if minimal) H.264 recorder built on PyAV, standing in
for ``device.recorder.Recorder`` until that branch lands; it honours the same
start/stop/push/when_saved contract and writes the same clip layout.
"""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np

from device.clips import PARTIAL_DIR, Clip, write_sidecar
from device.errors import CameraError
from device.frames import Frame


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


class ClipWriter:
    """start/stop/push/when_saved recorder: H.264 into clips/.partial, then a durable rename + sidecar."""

    def __init__(self, root: Path, fps: int = 30) -> None:
        self.root = root
        self.fps = fps
        self.when_saved: Callable[[Any], None] | None = None
        self.starts: list[float] = []
        self.pushed = 0
        self._out: Any = None
        self._stream: Any = None
        self._path: Path | None = None
        self._frames = 0
        self._threads: list[threading.Thread] = []

    @property
    def is_recording(self) -> bool:
        return self._out is not None

    def start(self, pre_roll_s: float = 0.0) -> None:
        self.starts.append(pre_roll_s)
        partial = self.root / PARTIAL_DIR
        partial.mkdir(parents=True, exist_ok=True)
        self._path = partial / f"{uuid.uuid4().hex[:12]}.mp4"
        self._out = av.open(str(self._path), "w", options={"movflags": "frag_keyframe+empty_moov"})
        self._stream = None
        self._frames = 0

    def push(self, frame_rgb: np.ndarray, t: float) -> None:
        self.pushed += 1
        if self._out is None:
            return
        if self._stream is None:
            self._stream = self._out.add_stream("libx264", rate=self.fps, options={"preset": "ultrafast"})
            self._stream.height, self._stream.width = frame_rgb.shape[:2]
            self._stream.pix_fmt = "yuv420p"
        vf = av.VideoFrame.from_ndarray(frame_rgb, format="rgb24")
        for packet in self._stream.encode(vf):
            self._out.mux(packet)
        self._frames += 1

    def stop(self, post_roll_s: float = 0.0) -> None:
        out, stream, path, frames = self._out, self._stream, self._path, self._frames
        self._out = None
        if out is None or path is None:
            return
        thread = threading.Thread(target=self._finish, args=(out, stream, path, frames), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _finish(self, out: Any, stream: Any, path: Path, frames: int) -> None:
        if stream is not None:
            for packet in stream.encode(None):
                out.mux(packet)
        out.close()
        day = self.root / datetime.date.today().isoformat()
        day.mkdir(parents=True, exist_ok=True)
        final = day / path.name
        path.replace(final)
        meta = {"id": final.stem, "frames": frames, "duration_s": frames / self.fps, "upload_state": "off"}
        write_sidecar(final, meta)
        if self.when_saved is not None:
            self.when_saved(Clip(final, meta))

    def join(self, timeout: float = 10.0) -> None:
        for thread in self._threads:
            thread.join(timeout)


class ManualClock:
    """A monotonic clock the test advances, so timers need no sleeping."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
