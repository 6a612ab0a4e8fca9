"""A frame feed that survives a lost camera: it reopens the source with backoff.

While the camera is away ``read`` raises ``CameraError`` at once (it never
blocks the main loop waiting for a reconnect), so the booth can show
"camera disconnected, reconnecting…" and keep drawing.

>>> feed = LiveFeed(lambda: open_source(config.camera.source, config), config.camera)
>>> frame = feed.read()
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from magicbooth.core.config import CameraConfig
from magicbooth.core.errors import CameraError
from magicbooth.core.frames import Frame

log = logging.getLogger(__name__)


class LiveFeed:
    """Wraps a source opener; reopens after ``CameraError`` with doubling backoff up to the configured maximum."""

    def __init__(self, opener: Callable[[], Any], camera: CameraConfig, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._opener = opener
        self._max_backoff = camera.reopen_max_backoff_s
        self._clock = clock
        self._source: Any = None
        self._backoff = 0.0
        self._next_try = 0.0
        self._lost_since: float | None = None
        self._last_error: BaseException | None = None

    @property
    def is_open(self) -> bool:
        return self._source is not None

    @property
    def lost_for(self) -> float:
        """Seconds since the camera was lost (0 while it delivers)."""
        return 0.0 if self._lost_since is None else self._clock() - self._lost_since

    def read(self) -> Frame | None:
        """The next frame; raises ``CameraError`` while the camera is lost or being reopened."""
        if self._source is None:
            self._reopen()
        try:
            frame = self._source.read()
        except CameraError as exc:
            self._lose(exc)
            raise
        self._lost_since = None
        self._backoff = 0.0
        return frame

    def _reopen(self) -> None:
        now = self._clock()
        if now < self._next_try:
            raise CameraError("camera disconnected, reconnecting…") from self._last_error
        try:
            source = self._opener()
            enter = getattr(source, "__enter__", None)
            self._source = enter() if enter else source
            log.info("camera open")
        except CameraError as exc:
            self._lose(exc)
            raise

    def _lose(self, exc: BaseException) -> None:
        now = self._clock()
        if self._lost_since is None:
            self._lost_since = now
        self._last_error = exc
        self.close()
        self._backoff = min(max(self._backoff * 2, 0.25), self._max_backoff)
        self._next_try = now + self._backoff

    def close(self) -> None:
        """Close the current source (errors while closing a lost camera are logged, not raised)."""
        source, self._source = self._source, None
        if source is None:
            return
        exit_ = getattr(source, "__exit__", None) or (lambda *a: source.close())
        try:
            exit_(None, None, None)
        except Exception as exc:   # a lost camera often fails to close cleanly; the next open starts fresh
            log.warning("closing the lost camera failed: %s", exc)

    def __enter__(self) -> LiveFeed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
