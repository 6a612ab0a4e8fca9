"""The pipeline spine: frames in, stages (perception, effects), sinks (display, recorder).

Two timing modes share one code path (``process``):

* **live** — a ``CaptureWorker`` thread feeds a one-slot ``Mailbox``; the loop
  always takes the newest frame and every overwritten frame is a counted drop.
  Capture never waits for the loop.
* **offline** — frames are read in order on the calling thread; nothing is
  dropped, so N frames in give N frames out, deterministically.

>>> pipeline = Pipeline(source, stages=[perception, effect], sinks=[display], live=True)
>>> pipeline.run(stop_event)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from magicbooth.camera.base import FrameSource
from magicbooth.camera.capture import CaptureWorker
from magicbooth.core.frames import Frame
from magicbooth.core.mailbox import Mailbox
from magicbooth.core.scene import Scene

log = logging.getLogger(__name__)


@dataclass
class FramePass:
    """One frame on its way through the stages.

    ``image`` is the working RGB picture that effects draw into and sinks read
    (a copy of ``frame.image``, so workers still reading the frame never see
    half-drawn pixels); ``canvas`` is a pygame surface sharing its memory.
    """

    frame: Frame
    image: np.ndarray
    scene: Scene | None = None
    canvas: Any = None
    timings: dict[str, float] = field(default_factory=dict)


class Stage(Protocol):
    """A pipeline step: perception, an effect, a display or a recorder."""

    name: str

    def __call__(self, work: FramePass) -> None: ...


class RollingStats:
    """Frame rate, per-stage milliseconds and drops over the last ``window`` frames."""

    def __init__(self, window: int = 60) -> None:
        self._times: deque[float] = deque(maxlen=window)
        self._stage: dict[str, deque[float]] = {}
        self._latency: deque[float] = deque(maxlen=window)
        self._window = window
        self.frames = 0
        self.dropped = 0

    def record(self, work: FramePass, done_at: float, latency_ms: float) -> None:
        self.frames += 1
        self._times.append(done_at)
        self._latency.append(latency_ms)
        for name, ms in work.timings.items():
            self._stage.setdefault(name, deque(maxlen=self._window)).append(ms)

    @property
    def fps(self) -> float:
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0

    @property
    def stage_ms(self) -> dict[str, float]:
        """Mean milliseconds per stage over the window."""
        return {name: sum(v) / len(v) for name, v in self._stage.items() if v}

    @property
    def latency_ms(self) -> float:
        """Mean time from capture to the end of the last sink."""
        return sum(self._latency) / len(self._latency) if self._latency else 0.0

    def summary(self) -> str:
        stages = ", ".join(f"{k} {v:.1f} ms" for k, v in self.stage_ms.items())
        return (f"{self.frames} frames, {self.fps:.1f} fps, {self.dropped} dropped, "
                f"latency {self.latency_ms:.1f} ms" + (f"; {stages}" if stages else ""))


class Pipeline:
    """Runs frames from ``source`` through ``stages`` then ``sinks``, timing each."""

    def __init__(self, source: FrameSource, stages: Sequence[Stage] = (), sinks: Sequence[Stage] = (), *,
                 live: bool | None = None, max_backoff_s: float = 8.0) -> None:
        self.source = source
        self.stages = list(stages)
        self.sinks = list(sinks)
        self.live = source.is_live if live is None else live
        self.stats = RollingStats()
        self.stopping = threading.Event()
        self._mailbox: Mailbox[Frame] = Mailbox()
        self._capture: CaptureWorker | None = None
        self._max_backoff_s = max_backoff_s
        self.when_frame: Callable[[FramePass], None] | None = None

    @property
    def capture(self) -> CaptureWorker | None:
        """The live capture worker (``None`` offline or before ``start``)."""
        return self._capture

    @property
    def dropped(self) -> int:
        return self._mailbox.dropped

    def start(self) -> None:
        """Open the source (and start capture in live mode)."""
        self.source.open()
        log.info("source: %s (%s mode)", self.source.describe(), "live" if self.live else "offline")
        if self.live:
            self._capture = CaptureWorker(self.source, self._mailbox, max_backoff_s=self._max_backoff_s)
            self._capture.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop capture and close the source."""
        self.stopping.set()
        try:
            if self._capture is not None:
                self._capture.stop(timeout)
        finally:
            self.source.close()

    def next_frame(self, timeout: float = 0.5) -> Frame | None:
        """The newest live frame (waiting up to ``timeout``), or the next offline one."""
        if not self.live:
            return self.source.read()
        frame = self._mailbox.get(timeout)
        self.stats.dropped = self._mailbox.dropped
        return frame

    @property
    def exhausted(self) -> bool:
        """True once a file source has ended (live: the capture thread has finished)."""
        if self.live:
            return self._capture is not None and self._capture.finished.is_set() and self._mailbox.closed
        return not self.source.is_open

    def process(self, frame: Frame) -> FramePass:
        """Run one frame through every stage and sink; returns the finished pass."""
        work = FramePass(frame=frame, image=frame.image.copy())
        for stage in (*self.stages, *self.sinks):
            began = time.perf_counter()
            stage(work)
            work.timings[stage.name] = (time.perf_counter() - began) * 1000.0
        done = time.monotonic()
        # live: capture to the end of the last sink; offline frames carry media time, so only processing counts
        latency_ms = (done - frame.t) * 1000.0 if self.live else sum(work.timings.values())
        self.stats.record(work, done, latency_ms)
        if self.when_frame is not None:
            self.when_frame(work)
        return work

    def run(self, stop: threading.Event | None = None, *, max_frames: int | None = None,
            max_seconds: float | None = None) -> RollingStats:
        """Process frames until the source ends, ``stop`` is set, or a limit is reached."""
        stop = stop or self.stopping
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.start()
        try:
            while not stop.is_set() and not self.stopping.is_set():
                if max_frames is not None and self.stats.frames >= max_frames:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                frame = self.next_frame()
                if frame is None:
                    if self.live and not self._capture_done():
                        continue  # no frame yet (camera reopening): keep waiting
                    if not self.live:
                        self.source.close()
                    break
                self.process(frame)
        finally:
            self.stop()
            self.stats.dropped = self._mailbox.dropped
        log.info("pipeline: %s", self.stats.summary())
        return self.stats

    def _capture_done(self) -> bool:
        return self._capture is not None and self._capture.finished.is_set()
