"""Video and image files as a frame source: loopable, paced or as fast as possible."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from magicbooth.camera.base import FrameSource
from magicbooth.core.errors import SourceError
from magicbooth.core.media import is_image


class FileSource(FrameSource):
    """Frames from a video or a still image.

    ``size`` resizes every frame (``None`` keeps the file's size). ``realtime``
    paces reads at the file's frame rate; otherwise frames come as fast as they
    decode, which is what offline rendering and tests want. An image is a
    one-frame video, repeated when ``loop`` is set.
    """

    name = "file"

    def __init__(self, path: str | Path, *, size: tuple[int, int] | None = None, loop: bool = False,
                 realtime: bool = False, fps: float | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self._want_size = size
        self._loop = loop
        self._realtime = realtime
        self._fps_override = fps
        self._capture: cv2.VideoCapture | None = None
        self._still: np.ndarray | None = None
        self._next_due = 0.0

    @property
    def is_live(self) -> bool:
        return self._realtime

    @property
    def is_still(self) -> bool:
        """True for an image: every frame is the same unrelated photo (no tracking across frames)."""
        return is_image(self.path)

    def _open(self) -> None:
        if not self.path.exists():
            raise SourceError(f"{self.path}: no such file; give a video or image path, 'sample' or a camera")
        if not self.path.is_file():
            raise SourceError(f"{self.path}: not a file; give a video or image path")
        if is_image(self.path):
            bgr = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
            if bgr is None:
                raise SourceError(f"{self.path}: cannot decode this image; use PNG or JPEG")
            self._still = self._convert(bgr)
            self._fps = float(self._fps_override or 30.0)
            self._size = (self._still.shape[1], self._still.shape[0])
        else:
            capture = cv2.VideoCapture(str(self.path))
            ok, bgr = capture.read() if capture.isOpened() else (False, None)
            if not ok or bgr is None:
                capture.release()
                raise SourceError(f"{self.path}: cannot decode this video; use an MP4/MKV/AVI that FFmpeg reads")
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._capture = capture
            fps = capture.get(cv2.CAP_PROP_FPS)
            self._fps = float(self._fps_override or (fps if 1 <= fps <= 240 else 30.0))
            first = self._convert(bgr)
            self._size = (first.shape[1], first.shape[0])
        self._served_still = False
        self._next_due = time.monotonic()

    def _close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self._still = None

    def _convert(self, bgr: np.ndarray) -> np.ndarray:
        if self._want_size and (bgr.shape[1], bgr.shape[0]) != tuple(self._want_size):
            bgr = cv2.resize(bgr, tuple(self._want_size), interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def _timestamp(self) -> float:
        """Paced: the clock. As fast as possible: media time (index / fps) from 0, so clips keep real speed
        and a file renders the same pictures every time."""
        if self._realtime:
            return time.monotonic()
        return self._index / self._fps

    def _pace(self) -> None:
        if not self._realtime:
            return
        now = time.monotonic()
        if self._next_due > now:
            time.sleep(self._next_due - now)
        self._next_due = max(self._next_due, now - 1.0) + 1.0 / self._fps

    def _read(self) -> np.ndarray | None:
        if self._still is not None:
            if self._served_still and not self._loop:
                return None
            self._served_still = True
            self._pace()
            return self._still.copy()
        assert self._capture is not None
        ok, bgr = self._capture.read()
        if not ok and self._loop:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, bgr = self._capture.read()
        if not ok:
            return None
        self._pace()
        return self._convert(bgr)
