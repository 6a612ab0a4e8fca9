"""The whole booth at once: live source -> perception -> effect -> display, while recording a clip.

The pipeline comes from ``build_pipeline``, the builder the booth itself uses,
so this measures the booth's own stages, not a copy of their wiring.

This is the number that decides whether a device can be a booth: frames per
second actually shown, frames dropped, capture-to-display latency, and the
CPU time a frame costs across every thread (capture, model workers, render,
encoder). The first ``warmup_s`` are not measured (first invokes, encoder start).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from magicbooth.bench import components
from magicbooth.bench.measures import Record, measured, not_measured, rounded, summarize
from magicbooth.bench.resources import ResourceWindow
from magicbooth.bench.stages import is_camera_spec, offscreen_display
from magicbooth.core.config import Config
from magicbooth.core.errors import MagicboothError
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.flow import FramePass, Pipeline
from magicbooth.pipeline.sinks import RecordSink
from magicbooth.pipeline.stages import EffectStage
from magicbooth.recording.recorder import Recorder

log = logging.getLogger(__name__)

WORKER_PREFIX = "perception."  # live PerceptionStage reports each worker's time as perception.<model>


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
                 warmup_s: float = 2.0, when_progress: Callable[[float], None] | None = None) -> None:
        self.config = config
        self.source_spec = source
        self.effect_spec = effect
        self.seconds = seconds
        self.warmup_s = warmup_s
        self.when_progress = when_progress
        self.missing: list[str] = []
        self.pipeline: Pipeline | None = None   # the pipeline of the last run (tests compare it with the booth's)

    def run(self) -> Record:
        spec = self.source_spec
        name = components.effect_name(self.effect_spec)  # a bad --effect fails before anything runs
        try:
            # The booth's own builder: the same stages, perception switch and sinks the booth runs.
            pipeline = build_pipeline(self.config, source=spec, effects=(name,), live=True, realtime=True, loop=True)
        except (MagicboothError, OSError, ImportError) as exc:
            return not_measured(f"could not build the pipeline for {spec!r}: {exc}")
        self.pipeline = pipeline
        with contextlib.ExitStack() as stack:
            try:
                pipeline.start()
            except (MagicboothError, OSError) as exc:
                return not_measured(f"could not open source {spec!r}: {exc}")
            stack.callback(pipeline.stop)
            source = pipeline.source
            fps = round(source.fps or self.config.camera.fps)
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="magicbooth-bench-")))
            display, no_screen = stack.enter_context(offscreen_display(self.config))
            display.watermark = pipeline.watermark
            try:
                # one clip for the whole run: lift [recorder] max_clip_s above the run's length
                long_clip = self.config.replace("recorder", max_clip_s=min(3600.0, self.warmup_s + self.seconds + 60))
                recorder = Recorder(long_clip, source.size, fps, root=tmp, effect=name, live=True,
                                    recover=False).open()
            except MagicboothError as exc:
                return not_measured(f"cannot record: {exc}")
            stack.callback(recorder.close)
            stamp = _Stamp()
            for sink in (display, stamp, RecordSink(recorder, live=True, watermark=pipeline.watermark)):
                pipeline.add_sink(sink)
            record = self._measure(pipeline, stamp, recorder)
            if "stage_ms" in record and EffectStage.name in record["stage_ms"]:
                record["stage_ms"][f"effect {name}"] = record["stage_ms"].pop(EffectStage.name)
            record.update(source=source.describe(), live_camera=is_camera_spec(spec), encoder=recorder.encoder_name,
                          display=display.driver + (f" ({no_screen})" if no_screen else ""),
                          effect=name, missing=self.missing)
        return record

    def _measure(self, pipeline: Pipeline, stamp: _Stamp, recorder: Any) -> Record:
        stop = threading.Event()
        window = ResourceWindow()
        latencies: list[float] = []
        loop_ms: list[float] = []
        stage_ms: dict[str, list[float]] = {}
        worker_ms: dict[str, list[float]] = {}
        state: dict[str, Any] = {"start": None, "frames": 0, "usage": None}
        found = {"faces": 0, "meshes": 0, "mask": 0}
        began = time.monotonic()
        measure_from = began + self.warmup_s
        measure_until = measure_from + self.seconds

        def when_frame(work: FramePass) -> None:
            now = time.monotonic()
            if self.when_progress is not None:
                self.when_progress((now - began) / (self.warmup_s + self.seconds))
            if state["start"] is None:
                if now >= measure_from:
                    recorder.start(pre_roll_s=0.0)
                    window.begin()
                    state.update(start=now, drops0=pipeline.dropped, rec_drops0=recorder.dropped_frames)
                return
            if state["usage"] is not None:
                return
            state["frames"] += 1
            latencies.append((stamp.shown_at - work.frame.t) * 1000.0)
            loop = 0.0
            for name, ms in work.timings.items():
                if name.startswith(WORKER_PREFIX):  # the model workers' own last times, on their threads
                    if ms > 0:
                        worker_ms.setdefault(f"model worker {name.removeprefix(WORKER_PREFIX)}", []).append(ms)
                elif name != stamp.name:
                    stage_ms.setdefault(name, []).append(ms)
                    loop += ms
            loop_ms.append(loop)
            if work.scene is not None:
                found["faces"] += bool(work.scene.faces)
                found["meshes"] += bool(work.scene.meshes)
                found["mask"] += work.scene.mask is not None
            if now >= measure_until:
                state.update(usage=window.end(state["frames"]), end=now, drops=pipeline.dropped - state["drops0"],
                             rec_drops=recorder.dropped_frames - state["rec_drops0"])
                stop.set()

        pipeline.when_frame = when_frame
        pipeline.run(stop, max_seconds=self.warmup_s + self.seconds + 30.0)
        if state["usage"] is None or state["frames"] < 2:
            return not_measured(f"the pipeline delivered only {state['frames']} measured frames")
        clip = recorder.stop(post_roll_s=0.0).result(timeout=60)
        self._check_exercised(found, state["frames"])
        usage, span = state["usage"], state["end"] - state["start"]
        return measured(
            frames=state["frames"], seconds=round(span, 3), fps=round(state["frames"] / span, 2),
            target_fps=round(pipeline.source.fps or 30, 2),
            dropped_frames=state["drops"] + state["rec_drops"], dropped_capture=state["drops"],
            dropped_recording=state["rec_drops"],
            latency_ms=summarize(latencies), latency_samples_ms=rounded(latencies),
            loop_ms=summarize(loop_ms), loop_samples_ms=rounded(loop_ms),
            stage_ms={name: summarize(ms) for name, ms in stage_ms.items()},
            worker_ms={name: summarize(ms) for name, ms in worker_ms.items()},
            clip_bytes=clip.video.stat().st_size, clip_seconds=clip.meta.get("duration_s"),
            clip_frames=clip.meta.get("frames"), found=found,
            cpu_ms_per_frame=usage["cpu_ms_per_frame"], process_cpu_percent=usage["process_cpu_percent"],
            cpu_percent_per_core=usage["cpu_percent_per_core"],
            cpu_ms_per_frame_by_thread=usage["cpu_ms_per_frame_by_thread"], peak_rss_mb=usage["peak_rss_mb"],
            peak_rss_scope=usage["peak_rss_scope"],
        )


    def _check_exercised(self, found: dict[str, int], frames: int) -> None:
        """A run whose models found nothing did not draw the heavy part of the effect: say so."""
        needs = components.needs_of(components.effect_name(self.effect_spec))
        for need, key in (("faces", "faces"), ("mesh", "meshes"), ("mask", "mask")):
            if need in needs and found[key] == 0 and not any(m.startswith("perception") for m in self.missing):
                self.missing.append(f"{need}: perception found none in {frames} frames, so the effect's "
                                    f"{need} drawing was not exercised")
