"""The frame path every mode runs: source -> capture -> stages (perception, effect) -> sinks.

Two timing modes share one code path (``process``):

* **live**: a ``CaptureWorker`` thread feeds a one-slot ``Mailbox``; the loop
  always takes the newest frame and every overwritten frame is a counted drop.
  Capture never waits for the loop.
* **offline**: frames are read in order on the calling thread; nothing is
  dropped, so N frames in give N frames out, deterministically.

``build_pipeline`` (``pipeline/builder.py``) is the only place that wires one.
Modes either ``run()`` it (preview, ``record``, ``render``, ``bench``) or drive
it one ``step()`` at a time from their own state machine (booth, headless).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pygame

from magicbooth.camera.capture import CaptureWorker
from magicbooth.camera.reconnect import ReconnectingSource
from magicbooth.core.errors import CameraError
from magicbooth.core.frames import Frame
from magicbooth.core.mailbox import Mailbox
from magicbooth.core.scene import Scene

if TYPE_CHECKING:
    from magicbooth.effects.carousel import EffectCarousel
    from magicbooth.pipeline.governor import Level, QualityGovernor
    from magicbooth.pipeline.overlay import Watermark

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
    timings: dict[str, float] = field(default_factory=dict)
    quality: int | None = None  # the quality governor's level this frame was made at (None offline)
    _canvas: pygame.Surface | None = None

    @property
    def canvas(self) -> pygame.Surface:
        """A pygame surface over ``image`` (no copy), made on first use."""
        if self._canvas is None:
            h, w = self.image.shape[:2]
            # ignore: pygame's stub takes bytes-like types only; frombuffer takes any buffer (numpy too)
            self._canvas = pygame.image.frombuffer(self.image, (w, h), "RGB")  # type: ignore[arg-type]
        return self._canvas


class Stage(Protocol):
    """A pipeline step: perception, an effect, a display or a recorder. ``start``/``stop`` are optional."""

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
    """Runs frames from ``source`` through ``stages`` then ``sinks``, timing each (built by ``build_pipeline``)."""

    def __init__(self, source: ReconnectingSource, stages: Sequence[Stage] = (), sinks: Sequence[Stage] = (), *,
                 live: bool, stall_s: float = 2.0, carousel: EffectCarousel | None = None,
                 watermark: Watermark | None = None, governor: QualityGovernor | None = None) -> None:
        self.source = source
        self.stages = list(stages)
        self.sinks = list(sinks)
        self.live = live
        self.stall_s = stall_s
        self.carousel = carousel
        self.watermark = watermark
        self.governor = governor
        if governor is not None:
            governor.when_level = self._apply_quality
        self.stats = RollingStats()
        self.stopping = threading.Event()
        self.when_frame: Callable[[FramePass], None] | None = None
        self._mailbox: Mailbox[Frame] = Mailbox()
        self._capture: CaptureWorker | None = None
        self._started = False
        self._ended = False

    # -- state ------------------------------------------------------------------------------------
    @property
    def capture(self) -> CaptureWorker | None:
        """The live capture worker (``None`` offline or before ``start``)."""
        return self._capture

    @property
    def dropped(self) -> int:
        """Frames the capture thread delivered that the loop never took (live)."""
        return self._mailbox.dropped

    @property
    def camera_error(self) -> str | None:
        """Why frames stopped, while the camera is lost (``None`` while it delivers)."""
        if self._capture is not None:
            return self._capture.last_error
        return self.source.last_error

    @property
    def exhausted(self) -> bool:
        """True once a file source has ended."""
        if self.live:
            return self._capture is not None and self._capture.finished.is_set() and self._mailbox.closed
        return self._ended

    @property
    def quality(self) -> Level | None:
        """The quality level frames are made at (None offline: always full quality, deterministic)."""
        return self.governor.level if self.governor is not None else None

    @property
    def effect_name(self) -> str:
        """The effect being drawn ("none" without a carousel)."""
        return self.carousel.name if self.carousel is not None else "none"

    # -- actions ----------------------------------------------------------------------------------
    def add_sink(self, sink: Stage) -> None:
        """Append a sink (the recorder once the frame size is known, a screenshot, a test probe)."""
        self.sinks.append(sink)

    def start(self, *, wait_for_camera: bool = False) -> None:
        """Start the stages' workers, open the source and (live) start capture.

        A camera that is not there yet raises ``CameraError``, unless
        ``wait_for_camera``: then it is retried with backoff (a service at boot).
        """
        if self._started:
            return
        try:
            self.source.open()
        except CameraError as exc:
            if not wait_for_camera:
                raise
            log.warning("waiting for the camera: %s", exc)
        self._started = True
        for stage in (*self.stages, *self.sinks):
            start = getattr(stage, "start", None)
            if start is not None:
                start()
        if self.governor is not None:
            if not self.governor.target_fps:   # [quality] target_fps = 0: the camera's (file's) own rate
                self.governor.target_fps = float(self.source.fps or 30.0)
            self._apply_quality(self.governor.level)
            self.governor.start()
        log.info("source: %s (%s mode)", self.source.describe(), "live" if self.live else "offline")
        if self.live:
            self._capture = CaptureWorker(self.source, self._mailbox)
            self._capture.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop capture and the stages' workers, then close the source (safe to call twice)."""
        self.stopping.set()
        try:
            if self._capture is not None:
                self._capture.stop(timeout)
            if self.governor is not None:
                self.governor.stop(min(timeout, 2.0))
        finally:
            try:
                for stage in (*self.stages, *self.sinks):
                    stop = getattr(stage, "stop", None)
                    if stop is not None and self._started:
                        stop(min(timeout, 2.0))
            finally:
                self._started = False
                self.source.close()
                self.stats.dropped = self._mailbox.dropped

    def next_frame(self, timeout: float | None = 0.5) -> Frame | None:
        """The newest live frame (waiting up to ``timeout``), or the next offline one.

        ``None`` means no frame yet, or the end of a file (see ``exhausted``).
        Raises ``CameraError`` while the camera is lost, or when a live camera
        has sent nothing for ``stall_s``, so a mode can say why the picture froze.
        """
        if not self.live:
            frame = self.source.read()
            self._ended = frame is None
            return frame
        began = time.monotonic()
        frame = self._mailbox.get(timeout)
        if self.governor is not None:
            self.governor.note_wait(time.monotonic() - began)
        self.stats.dropped = self._mailbox.dropped
        if frame is not None:
            return frame
        capture = self._capture
        if capture is None or (capture.finished.is_set() and not capture.last_error):
            return None
        if capture.last_error:
            raise CameraError(capture.last_error)
        if capture.seconds_since_frame > self.stall_s:
            raise CameraError(f"{self.source.describe()}: no frame for {self.stall_s:g} s")
        return None

    def first_frame(self, stopped: Callable[[], bool]) -> Frame | None:
        """Wait for the camera's first frame, riding out reconnects; ``None`` if ``stopped()`` first or no frames."""
        waited = ""
        while not stopped():
            try:
                frame = self.next_frame(0.5)
            except CameraError as exc:
                if str(exc) != waited:
                    log.warning("waiting for the camera: %s", exc)
                    waited = str(exc)
                if not self.live:
                    time.sleep(0.5)
                continue
            if frame is not None:
                return frame
            if self.exhausted:
                return None
        return None

    def process(self, frame: Frame) -> FramePass:
        """Run one frame through every stage and sink; returns the finished pass."""
        work = FramePass(frame=frame, image=frame.image.copy(),
                         quality=self.governor.level.number if self.governor is not None else None)
        for stage in (*self.stages, *self.sinks):
            began = time.perf_counter()
            stage(work)
            work.timings[stage.name] = (time.perf_counter() - began) * 1000.0
        done = time.monotonic()
        # live: capture to the end of the last sink; offline frames carry media time, so only processing counts
        latency_ms = (done - frame.t) * 1000.0 if self.live else sum(work.timings.values())
        self.stats.record(work, done, latency_ms)
        if self.governor is not None:
            self.governor.note_frame()   # may change the level, through _apply_quality, for the next frame
        if self.when_frame is not None:
            self.when_frame(work)
        return work

    def _apply_quality(self, level: Level) -> None:
        """Turn the stages' knobs to ``level`` (the governor calls this when it steps)."""
        for stage in self.stages:
            set_quality = getattr(stage, "set_quality", None)
            if set_quality is not None:
                set_quality(level)

    def step(self, timeout: float | None = 0.5) -> FramePass | None:
        """Take the next frame (see ``next_frame``) and process it; ``None`` when there was none."""
        frame = self.next_frame(timeout)
        return None if frame is None else self.process(frame)

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
                try:
                    work = self.step()
                except CameraError as exc:
                    if not self.live:
                        raise
                    log.debug("no frames: %s", exc)
                    continue
                if work is None and self.exhausted:
                    break
        finally:
            self.stop()
        log.info("pipeline: %s", self.stats.summary())
        return self.stats

    def __enter__(self) -> Pipeline:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
