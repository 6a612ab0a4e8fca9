"""The capture thread: reads a live source into a one-slot mailbox, never waiting for the consumer.

Reconnecting is not its job: it reads a ``ReconnectingSource``, which raises
``CameraError`` at once while the camera is away and reopens it with backoff.
The thread only notes the error (``last_error``, for the booth's failsafe and
the HUD) and sleeps until the next attempt is due.
"""

from __future__ import annotations

import logging
import threading
import time

from magicbooth.camera.reconnect import ReconnectingSource
from magicbooth.core.errors import CameraError, WorkerError
from magicbooth.core.frames import Frame
from magicbooth.core.mailbox import Mailbox

log = logging.getLogger(__name__)

MIN_POLL_S = 0.02   # a camera that fails at once is retried no faster than this


class CaptureWorker:
    """Moves frames from ``source`` into ``mailbox`` on its own thread until the source ends or ``stop``."""

    def __init__(self, source: ReconnectingSource, mailbox: Mailbox[Frame]) -> None:
        self.source = source
        self.mailbox = mailbox
        self.stopping = threading.Event()
        self.finished = threading.Event()
        self.captured = 0
        self.last_error: str | None = None
        self._last_frame_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)

    @property
    def seconds_since_frame(self) -> float:
        """Time since the last frame arrived (the watchdog and the stall timeout read it)."""
        return time.monotonic() - self._last_frame_at

    @property
    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._last_frame_at = time.monotonic()
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to end and wait; raise ``WorkerError`` if it will not."""
        self.stopping.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise WorkerError(f"capture thread did not stop within {timeout:g} s (camera stuck?)")

    def _run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    frame = self.source.read()
                except CameraError as exc:
                    self.last_error = str(exc)
                    if self.stopping.wait(max(MIN_POLL_S, self.source.retry_in)):
                        break
                    continue
                if frame is None:
                    break
                self.last_error = None
                self.captured += 1
                self._last_frame_at = time.monotonic()
                self.mailbox.put(frame)
        except Exception as exc:
            self.last_error = f"capture failed: {exc}"
            log.exception("capture thread failed")
        finally:
            self.finished.set()
            self.mailbox.close()
