"""One thread per model, fed through a one-slot mailbox where the newest frame wins.

A worker never blocks whoever submits to it: a frame still waiting when the
next arrives is dropped and counted.

Usage::

    worker = ModelWorker("segment", segmenter_step)     # step: Frame -> result (or None)
    worker.start()
    worker.submit(frame)
    result = worker.latest          # the newest result, None before the first
    worker.stop(timeout=2.0)        # raises WorkerError if the thread will not end
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from magicbooth.core.errors import WorkerError
from magicbooth.core.frames import Frame

T = TypeVar("T")
log = logging.getLogger(__name__)


class ModelWorker(Generic[T]):
    """Runs ``step(frame)`` on the newest submitted frame; ``latest`` is the newest result.

    ``step`` may return None to mean "nothing new" (the previous result stays).
    """

    def __init__(self, name: str, step: Callable[[Frame], T | None]) -> None:
        self.name = name
        self._step = step
        self.stopping = threading.Event()
        self._cond = threading.Condition()
        self._pending: Frame | None = None
        self._latest: T | None = None
        self._latest_index = -1
        self._ms = 0.0
        self._thread: threading.Thread | None = None
        self.dropped = 0
        self.error: BaseException | None = None

    @property
    def latest(self) -> T | None:
        """The newest result, or None before the first."""
        return self._latest

    @property
    def last_ms(self) -> float:
        """How long the newest step took, in milliseconds."""
        return self._ms

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is not None:
            raise WorkerError(f"perception worker {self.name} already started")
        self.stopping.clear()
        self._thread = threading.Thread(target=self._loop, name=f"perception-{self.name}", daemon=True)
        self._thread.start()

    def submit(self, frame: Frame) -> None:
        """Hand over a frame; an unprocessed older one is dropped."""
        with self._cond:
            if self._pending is not None:
                self.dropped += 1
            self._pending = frame
            self._cond.notify()

    def wait_for_result(self, index: int, timeout: float) -> bool:
        """Block until a frame with at least ``index`` has been processed (tests, offline drains)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._latest_index < index and not self.stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return self._latest_index >= index

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the thread to end and join it; raise ``WorkerError`` if it does not."""
        self.stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is None:
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise WorkerError(f"perception worker {self.name} did not stop within {timeout:g} s")
        self._thread = None

    def _loop(self) -> None:
        while not self.stopping.is_set():
            with self._cond:
                while self._pending is None and not self.stopping.is_set():
                    self._cond.wait()
                frame, self._pending = self._pending, None
            if frame is None:
                break
            started = time.perf_counter()
            try:
                result = self._step(frame)
            except Exception as exc:  # keep the booth alive; the error is logged and exposed
                log.exception("perception worker %s failed on frame %d", self.name, frame.index)
                self.error = exc
                continue
            with self._cond:
                self._ms = (time.perf_counter() - started) * 1000
                if result is not None:
                    self._latest = result
                self._latest_index = frame.index
                self._cond.notify_all()
