"""The one reconnect layer: a source that reopens a lost camera with doubling backoff.

``read`` never waits for a reconnect. While the camera is away it raises
``CameraError`` at once, so whoever reads (the capture thread live, the
calling thread offline) keeps running and can show why frames stopped.
A source that cannot be found at all (a bad file, an unknown spec) raises
``SourceError`` from the first ``open``; that is a mistake to report, not
a camera to wait for.

Usage::

    source = ReconnectingSource(lambda: open_source("auto", config), max_backoff_s=8.0)
    source.open()                # CameraError if the camera is not there yet (retried on read)
    frame = source.read()        # a Frame, None at the end of a file, CameraError while lost
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from magicbooth.camera.base import FrameSource
from magicbooth.core.errors import CameraError
from magicbooth.core.frames import Frame

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 0.25


class ReconnectingSource:
    """Wraps a source factory; after a ``CameraError`` the next reopen waits 0.25 s, doubling to the maximum."""

    def __init__(self, opener: Callable[[], FrameSource], *, max_backoff_s: float = 8.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._opener = opener
        self._max_backoff = max_backoff_s
        self._clock = clock
        self._source: FrameSource | None = None
        self._described = ""
        self._size: tuple[int, int] = (0, 0)
        self._fps = 0.0
        self._is_live = True
        self._backoff = 0.0
        self._next_try = 0.0
        self._lost_since: float | None = None
        self.last_error: str | None = None
        self.reopens = 0

    # -- what the pipeline reads -----------------------------------------------------------------
    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the frames, once the source has opened (else the last known size)."""
        return self._size

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def is_live(self) -> bool:
        """True for cameras and paced files: frames arrive whether or not anyone reads them."""
        return self._is_live

    @property
    def is_open(self) -> bool:
        return self._source is not None

    @property
    def retry_in(self) -> float:
        """Seconds until the next reopen attempt (0 while the camera delivers)."""
        return 0.0 if self._source is not None else max(0.0, self._next_try - self._clock())

    def describe(self) -> str:
        return self._source.describe() if self._source is not None else self._described or "camera (not open)"

    # -- actions -----------------------------------------------------------------------------------
    def open(self) -> ReconnectingSource:
        """Open now (first use); ``CameraError`` if the camera is not there (the next ``read`` retries)."""
        if self._source is None:
            self._reopen(first=True)
        return self

    def read(self) -> Frame | None:
        """The next frame; ``None`` at the end of a file; ``CameraError`` while lost or being reopened."""
        if self._source is None:
            if self._clock() < self._next_try:
                raise CameraError(self.last_error or "camera disconnected, reconnecting…")
            self._reopen(first=False)
        assert self._source is not None
        try:
            frame = self._source.read()
        except CameraError as exc:
            self._lose(exc)
            raise
        if self._lost_since is not None:
            log.info("camera is back after %.1f s: %s", self._clock() - self._lost_since, self.describe())
        self._lost_since = None
        self._backoff = 0.0
        self.last_error = None
        return frame

    def close(self) -> None:
        """Close the current source (errors while closing a lost camera are logged, not raised)."""
        source, self._source = self._source, None
        if source is None:
            return
        try:
            source.close()
        except Exception as exc:   # a lost camera often fails to close cleanly; the next open starts fresh
            log.warning("closing the lost camera failed: %s", exc)

    def __enter__(self) -> ReconnectingSource:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the backoff --------------------------------------------------------------------------------
    def _reopen(self, *, first: bool) -> None:
        source = self._opener()
        try:
            source.open()
        except CameraError as exc:
            self._lose(exc)
            raise
        self._source = source
        self._size, self._fps, self._is_live = source.size, source.fps, source.is_live
        self._described = source.describe()
        if not first:
            self.reopens += 1
            log.info("camera reopened: %s", self._described)

    def _lose(self, exc: CameraError) -> None:
        now = self._clock()
        if self._lost_since is None:
            self._lost_since = now
        self.last_error = str(exc)
        self.close()
        self._backoff = min(max(self._backoff * 2, FIRST_BACKOFF_S), self._max_backoff)
        self._next_try = now + self._backoff
        log.warning("%s; reopening in %.2g s", exc, self._backoff)
