"""The ``FrameSource`` interface every camera or file backend implements."""

from __future__ import annotations

import abc
import time
from types import TracebackType

from magicbooth.core.frames import Frame


class FrameSource(abc.ABC):
    """A context manager that yields RGB frames.

    Backends override ``_open``, ``_close`` and ``_read`` and set ``size`` and
    ``fps`` when opened. ``read()`` returns ``None`` at the end of a file and
    raises ``CameraError`` when a camera disconnects or times out; callers
    reopen with ``close()`` + ``open()``.
    """

    name = "source"

    def __init__(self) -> None:
        self._size: tuple[int, int] = (0, 0)
        self._fps: float = 0.0
        self._index = 0
        self._opened = False

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the frames delivered."""
        return self._size

    @property
    def fps(self) -> float:
        """Nominal frame rate."""
        return self._fps

    @property
    def is_open(self) -> bool:
        return self._opened

    @property
    def is_live(self) -> bool:
        """True for cameras: frames arrive in real time whether or not anyone reads them."""
        return True

    def open(self) -> FrameSource:
        if not self._opened:
            self._open()
            self._opened = True
        return self

    def close(self) -> None:
        if self._opened:
            self._opened = False
            self._close()

    def read(self) -> Frame | None:
        """The next frame, or ``None`` at the end of a file."""
        if not self._opened:
            self.open()
        image = self._read()
        if image is None:
            return None
        lores = None
        if isinstance(image, tuple):
            image, lores = image
        frame = Frame(image=image, t=self._timestamp(), index=self._index, lores=lores)
        self._index += 1
        return frame

    def _timestamp(self) -> float:
        """When the current frame was taken: the monotonic clock for live sources."""
        return time.monotonic()

    def describe(self) -> str:
        """One line for logs: backend, size and fps."""
        w, h = self.size
        return f"{self.name} {w}x{h} @ {self.fps:g} fps"

    def __enter__(self) -> FrameSource:
        return self.open()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @abc.abstractmethod
    def _open(self) -> None: ...

    @abc.abstractmethod
    def _close(self) -> None: ...

    @abc.abstractmethod
    def _read(self): ...
