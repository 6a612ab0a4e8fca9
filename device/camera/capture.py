"""The capture thread: reads a live source into a mailbox and reopens lost cameras."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from magicbooth.camera.base import FrameSource
from magicbooth.core.errors import CameraError, WorkerError
from magicbooth.core.frames import Frame
from magicbooth.core.mailbox import Mailbox

log = logging.getLogger(__name__)


class CaptureWorker:
    """Reads frames as fast as the source gives them; never waits for the consumer.

    On ``CameraError`` it closes the source and reopens it with exponential
    backoff (0.25 s doubling up to ``max_backoff_s``), keeping the process
    alive. ``last_error`` and ``reopens`` tell the HUD and the booth why
    frames stopped; ``seconds_since_frame`` feeds the systemd watchdog.
    """

    def __init__(self, source: FrameSource, mailbox: Mailbox[Frame], *, max_backoff_s: float = 8.0,
                 sleep: Callable[[float], bool] | None = None) -> None:
        self.source = source
        self.mailbox = mailbox
        self.max_backoff_s = max_backoff_s
        self.stopping = threading.Event()
        self.captured = 0
        self.reopens = 0
        self.last_error: str | None = None
        self.finished = threading.Event()
        self._last_frame_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)

    @property
    def seconds_since_frame(self) -> float:
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
        backoff = 0.25
        try:
            while not self.stopping.is_set():
                try:
                    frame = self.source.read()
                except CameraError as exc:
                    self.last_error = str(exc)
                    log.warning("%s; reopening in %.2g s", exc, backoff)
                    self.source.close()
                    if self.stopping.wait(backoff):
                        break
                    backoff = min(backoff * 2, self.max_backoff_s)
                    self.reopens += 1
                    continue
                if frame is None:
                    break
                backoff = 0.25
                if self.last_error:
                    log.info("camera is back: %s", self.source.describe())
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
