"""A live source read on its own capture thread, so slow drawing never holds the camera up.

The booth and headless loops read frames one at a time; wrapped in
``ThreadedSource`` they get the newest frame while the ``CaptureWorker``
keeps reading at the camera's pace, counting every frame the loop had no
time for, and reopening a lost camera with backoff.

>>> with ThreadedSource(open_source("auto", config), timeout_s=2.0) as source:
...     frame = source.read()          # newest frame; CameraError if none arrives in time
"""

from __future__ import annotations

from magicbooth.camera.base import FrameSource
from magicbooth.camera.capture import CaptureWorker
from magicbooth.core.errors import CameraError
from magicbooth.core.frames import Frame
from magicbooth.core.mailbox import Mailbox


class ThreadedSource(FrameSource):
    """Wraps ``inner``; ``read`` returns the newest frame captured in the background."""

    def __init__(self, inner: FrameSource, *, timeout_s: float = 2.0, max_backoff_s: float = 8.0) -> None:
        super().__init__()
        self.inner = inner
        self.name = f"{inner.name} (capture thread)"
        self._timeout = timeout_s
        self._max_backoff = max_backoff_s
        self._mailbox: Mailbox[Frame] = Mailbox()
        self._worker: CaptureWorker | None = None

    @property
    def dropped(self) -> int:
        """Frames captured but replaced before the loop read them."""
        return self._mailbox.dropped

    @property
    def is_live(self) -> bool:
        return True

    def _open(self) -> None:
        self.inner.open()
        self._size, self._fps = self.inner.size, self.inner.fps
        self._mailbox = Mailbox()
        self._worker = CaptureWorker(self.inner, self._mailbox, max_backoff_s=self._max_backoff)
        self._worker.start()

    def _close(self) -> None:
        worker, self._worker = self._worker, None
        try:
            if worker is not None:
                worker.stop(timeout=max(5.0, self._timeout * 2))
        finally:
            self.inner.close()

    def read(self) -> Frame | None:
        """The newest frame (original index and time), ``None`` at the end of a file."""
        if not self.is_open:
            self.open()
        assert self._worker is not None
        frame = self._mailbox.get(self._timeout)
        if frame is not None:
            return frame
        if self._worker.finished.is_set() and not self._worker.last_error:
            return None
        raise CameraError(self._worker.last_error or f"{self.inner.describe()}: no frame for {self._timeout:g} s")

    def _read(self):  # pragma: no cover - read() is overridden
        raise NotImplementedError
