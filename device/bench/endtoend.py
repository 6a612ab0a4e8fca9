"""The whole booth at once: live source -> perception -> effect -> display, while recording.

This is the number that decides whether a device can be a booth: frames per
second actually shown, frames dropped, capture-to-display latency, and the
CPU time a frame costs across every thread (capture, models, encoder).
The first ``warmup_s`` are not measured (first invokes, encoder start).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from device.bench.encoding import RecordingSink, encoder_available
from device.bench.measures import Record, measured, not_measured, rounded, summarize
from device.bench.resources import ResourceWindow
from device.bench.stages import is_camera_spec, offscreen_display
from device.camera import open_source
from device.config import Config
from device.errors import MagicboothError
from device.pipeline import FramePass, Pipeline

log = logging.getLogger(__name__)


class _Stamp:
    """A sink that notes when the frame reached the screen (capture-to-display latency)."""

    name = "shown"

    def __init__(self) -> None:
        self.shown_at = 0.0

    def __call__(self, work: FramePass) -> None:
        self.shown_at = time.monotonic()


class EndToEnd:
    """One measured run of the live pipeline; ``run()`` returns its record."""

    def __init__(self, config: Config, source: str, *, effect: str | None, seconds: float,
                 warmup_s: float = 2.0, encoder: str = "libx264",
                 when_progress: Callable[[float], None] | None = None) -> None:
        self.config = config
        self.source_spec = source
        self.effect = effect
        self.seconds = seconds
        self.warmup_s = warmup_s
        self.encoder = encoder
        self.when_progress = when_progress
        self.missing: list[str] = []

    def run(self) -> Record:
        spec = self.source_spec
        try:
            source = open_source(spec, self.config, realtime=True, loop=True)
            source.open()
        except (MagicboothError, OSError) as exc:
            return not_measured(f"could not open source {spec!r}: {exc}")
        why = encoder_available(self.encoder)
        if why:
            source.close()
            return not_measured(f"cannot record: {why}")
        stages = self._stages()
        with tempfile.TemporaryDirectory(prefix="magicbooth-bench-") as tmp, \
                offscreen_display(self.config) as (display, no_screen):
            recorder = RecordingSink(self.encoder, source.size, round(source.fps or 30), Path(tmp))
            stamp = _Stamp()
            pipeline = Pipeline(source, stages=stages, sinks=[display, stamp, recorder], live=True)
            try:
                record = self._measure(pipeline, stamp, recorder)
            finally:
                recorder.stop()
        record.update(source=source.describe(), live_camera=is_camera_spec(spec), encoder=self.encoder,
                      display=(f"{display.driver}" + (f" ({no_screen})" if no_screen else "")),
                      effect=self.effect, missing=self.missing)
        return record

    def _stages(self) -> list[Any]:
        """Perception and effect stages, when this build has them."""
        stages: list[Any] = []
        try:
            from device.perception import Perception  # noqa: F401
        except ImportError:
            self.missing.append("perception: device.perception is not part of this build")
        try:
            import effects as effects_pkg

            effects_pkg.registry()  # type: ignore[attr-defined]
        except (ImportError, AttributeError):
            self.missing.append("effect: the effect registry is not part of this build")
        return stages

    def _measure(self, pipeline: Pipeline, stamp: _Stamp, recorder: RecordingSink) -> Record:
        stop = threading.Event()
        window = ResourceWindow()
        latencies: list[float] = []
        loop_ms: list[float] = []
        stage_ms: dict[str, list[float]] = {}
        state: dict[str, Any] = {"start": None, "frames": 0, "drops0": 0, "enc_drops0": 0, "usage": None,
                                 "end": None}
        began = time.monotonic()
        measure_from = began + self.warmup_s
        measure_until = measure_from + self.seconds

        def when_frame(work: FramePass) -> None:
            now = time.monotonic()
            if self.when_progress is not None:
                self.when_progress(min(1.0, (now - began) / (self.warmup_s + self.seconds)))
            if state["start"] is None:
                if now >= measure_from:
                    window.begin()
                    state.update(start=now, drops0=pipeline.dropped, enc_drops0=recorder.dropped)
                return
            if state["usage"] is not None:
                return
            state["frames"] += 1
            latencies.append((stamp.shown_at - work.frame.t) * 1000.0)
            timings = {k: v for k, v in work.timings.items() if k != stamp.name}
            loop_ms.append(sum(timings.values()))
            for name, ms in timings.items():
                stage_ms.setdefault(name, []).append(ms)
            if now >= measure_until:
                state["usage"] = window.end(state["frames"])
                state["end"] = now
                state["drops"] = pipeline.dropped - state["drops0"]
                state["enc_drops"] = recorder.dropped - state["enc_drops0"]
                stop.set()

        pipeline.when_frame = when_frame
        pipeline.run(stop, max_seconds=self.warmup_s + self.seconds + 30.0)
        if state["usage"] is None or state["frames"] < 2:
            return not_measured(f"the pipeline delivered only {state['frames']} measured frames")
        if recorder.error:
            return not_measured(f"recording failed: {recorder.error}")
        usage = state["usage"]
        span = state["end"] - state["start"]
        encode = recorder.encode_ms[-state["frames"]:] or [0.0]
        dropped = state["drops"] + state["enc_drops"]
        return measured(
            frames=state["frames"], seconds=round(span, 3), fps=round(state["frames"] / span, 2),
            target_fps=round(pipeline.source.fps or 30, 2),
            dropped_frames=dropped, dropped_capture=state["drops"], dropped_recording=state["enc_drops"],
            latency_ms=summarize(latencies), latency_samples_ms=rounded(latencies),
            loop_ms=summarize(loop_ms), loop_samples_ms=rounded(loop_ms),
            stage_ms={name: summarize(ms) for name, ms in stage_ms.items()},
            encode_ms=summarize(encode),
            cpu_ms_per_frame=usage["cpu_ms_per_frame"], process_cpu_percent=usage["process_cpu_percent"],
            cpu_percent_per_core=usage["cpu_percent_per_core"], peak_rss_mb=usage["peak_rss_mb"],
            peak_rss_scope=usage["peak_rss_scope"],
        )
