"""The whole booth at once: live source -> perception -> effect -> the booth's screen, while recording a clip.

The pipeline comes from ``build_pipeline``, the builder the booth itself uses, with the
booth's whole carousel, so this measures the booth's own stages, not a copy of their
wiring. The screen is the booth's own: ``BoothScreen`` draws its real screens
(``modes.view.BoothView``: the picture, then the attract carousel with live thumbnails,
the countdown, recording, review and saved screens, taking turns) at the display's size
(1280×720 where there is no screen) and reports the UI's own time per frame. With ``[booth]
gestures`` on, the screen also runs the booth's hand watcher where the booth would (attract and
review: palm detection and hand landmarks on their own thread, the recognizer, the palm ring),
so the hand work is measured with the rest.

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
from magicbooth.bench.energy import SOURCE, PowerSampler, joules_per_minute
from magicbooth.bench.measures import Record, measured, not_measured, rounded, summarize
from magicbooth.bench.resources import ResourceWindow
from magicbooth.bench.stages import is_camera_spec, offscreen_display
from magicbooth.core.config import Config
from magicbooth.core.errors import MagicboothError
from magicbooth.modes.gestures import GestureInput
from magicbooth.modes.view import BoothView
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.flow import FramePass, Pipeline
from magicbooth.pipeline.governor import QualityGovernor
from magicbooth.pipeline.sinks import RecordSink
from magicbooth.pipeline.stages import EffectStage
from magicbooth.recording.recorder import Recorder

log = logging.getLogger(__name__)

WORKER_PREFIX = "perception."  # live PerceptionStage reports each worker's time as perception.<model>
BOOTH_SCREEN = (1280, 720)     # the screen drawn on when [display] window_size does not say (no real screen)
BOOTH_STATES = ("attract", "countdown", "recording", "review", "saved")   # the screens over a moving picture
QR_URL = "https://clips.example.org/v/20250101-120000-abcdef"


class _Stamp:
    """A sink that notes when the frame reached the screen (capture-to-display latency)."""

    name = "shown"

    def __init__(self) -> None:
        self.shown_at = 0.0

    def __call__(self, work: FramePass) -> None:
        self.shown_at = time.monotonic()


class BoothScreen:
    """A sink that draws the booth's real screens over each frame, as the booth does, and times the UI.

    The screens the booth shows over a moving picture take turns, a second each, from the start
    of the measured window (``restart``).
    ``last_ui_ms`` is the UI of the last frame (live thumbnails, panels, text, rings);
    ``last_show_ms`` the picture under it (fitted, mirrored, the bars).
    """

    name = "booth screen"

    def __init__(self, config: Config, pipeline: Pipeline, display: Any, fps: float) -> None:
        self.view = BoothView(config, pipeline.carousel, pipeline.watermark)
        self.display = display
        self.fps = fps or 30.0
        self.turn = max(1, round(self.fps))
        self.frames = 0
        self.last_state = ""
        self.last_ui_ms = 0.0
        self.last_ui_cpu_ms = 0.0
        self.last_show_ms = 0.0
        self.gestures = GestureInput(config) if config.booth.gestures else None
        self.hands_seen = 0      # frames in which the watcher found a hand (gestures on)

    @property
    def hands_ms(self) -> float | None:
        """The hand watcher's last frame on its thread (None while it does not run)."""
        if self.gestures is None or not self.gestures.is_watching:
            return None
        return self.gestures.watcher.last_ms

    def close(self) -> None:
        if self.gestures is not None:
            self.gestures.stop()

    def restart(self) -> None:
        """Begin the turns again with attract (the measured window starts)."""
        self.frames = 0

    def __call__(self, work: FramePass) -> None:
        import pygame

        screen = self.display.screen
        if screen is None:
            return
        state = BOOTH_STATES[(self.frames // self.turn) % len(BOOTH_STATES)]
        since = (self.frames % self.turn) / self.fps
        now = time.monotonic()
        began, cpu = time.perf_counter(), time.thread_time()
        if state == "attract":
            self.view.update(work, now)
        palm: dict[str, Any] = {}
        if self.gestures is not None:   # the booth's hand work, on the screens where the booth watches hands
            self.gestures.follow(state, work.frame)
            seen = self.gestures.seen
            self.hands_seen += bool(seen is not None and seen.hands)
            cue = self.gestures.cue
            if cue is not None:
                palm = {"palm": (cue.x, cue.y, cue.radius), "palm_progress": cue.progress, "palm_pose": cue.pose}
        thumbs_ms, thumbs_cpu_ms = (time.perf_counter() - began) * 1000.0, (time.thread_time() - cpu) * 1000.0
        if state in ("review", "saved"):
            self.view.show_clip(screen, work.image, watermarked=True)
        else:
            self.view.show(screen, work.canvas)
        self.view.draw(screen, self.view.moment(state, since=since, now=now, clip_ready=True, review_left=12.0,
                                                qr_url=QR_URL, saved_left=1.0 - since,
                                                gestures=self.gestures is not None, **palm))
        self.last_ui_ms = thumbs_ms + self.view.ui_ms
        self.last_ui_cpu_ms = thumbs_cpu_ms + self.view.ui_cpu_ms
        self.last_show_ms = self.view.show_ms
        self.last_state = state
        self.frames += 1
        pygame.display.flip()
        self.display.pump()


class EndToEnd:
    """One measured run of the live pipeline; ``run()`` returns its record."""

    def __init__(self, config: Config, source: str, *, effect: str | None, seconds: float,
                 warmup_s: float = 2.0, when_progress: Callable[[float], None] | None = None,
                 level: int | None = None, when_window: Callable[[Pipeline, float], None] | None = None) -> None:
        self.config = config
        self.level = level            # a quality level held for the whole run (None: the governor decides)
        self.when_window = when_window   # called with (pipeline, seconds into the window) on every measured frame
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
            # The booth's own builder and carousel: the same stages, perception switch and sinks the booth runs.
            pipeline = build_pipeline(self.config, source=spec, effect=name, live=True, realtime=True, loop=True)
        except (MagicboothError, OSError, ImportError) as exc:
            return not_measured(f"could not build the pipeline for {spec!r}: {exc}")
        self.pipeline = pipeline
        if self.level is not None and pipeline.governor is not None:
            pipeline.governor.pin(self.level, reason="bench: held for the run")
        with contextlib.ExitStack() as stack:
            try:
                pipeline.start()
            except (MagicboothError, OSError) as exc:
                return not_measured(f"could not open source {spec!r}: {exc}")
            stack.callback(pipeline.stop)
            source = pipeline.source
            fps = round(source.fps or self.config.camera.fps)
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="magicbooth-bench-")))
            shown = self.config
            if not all(shown.display.window_size):
                shown = shown.replace("display", window_size=BOOTH_SCREEN)
            display, no_screen = stack.enter_context(offscreen_display(shown))
            try:
                # one clip for the whole run: lift [recorder] max_clip_s above the run's length
                long_clip = self.config.replace("recorder", max_clip_s=min(3600.0, self.warmup_s + self.seconds + 60))
                recorder = Recorder(long_clip, source.size, fps, root=tmp, effect=name, live=True,
                                    recover=False).open()
            except MagicboothError as exc:
                return not_measured(f"cannot record: {exc}")
            stack.callback(recorder.close)
            stamp = _Stamp()
            booth = BoothScreen(self.config, pipeline, display, fps)
            stack.callback(booth.close)
            for sink in (booth, stamp, RecordSink(recorder, live=True, watermark=pipeline.watermark)):
                pipeline.add_sink(sink)
            record = self._measure(pipeline, stamp, recorder, booth)
            if "stage_ms" in record and EffectStage.name in record["stage_ms"]:
                record["stage_ms"][f"effect {name}"] = record["stage_ms"].pop(EffectStage.name)
            record.update(source=source.describe(), live_camera=is_camera_spec(spec), encoder=recorder.encoder_name,
                          display=display.driver + (f" ({no_screen})" if no_screen else ""),
                          effect=name, missing=self.missing)
        return record

    def _measure(self, pipeline: Pipeline, stamp: _Stamp, recorder: Any, booth: BoothScreen) -> Record:
        stop = threading.Event()
        window = ResourceWindow()
        latencies: list[float] = []
        loop_ms: list[float] = []
        stage_ms: dict[str, list[float]] = {}
        worker_ms: dict[str, list[float]] = {}
        ui_ms: dict[str, list[float]] = {}
        ui_cpu_ms: list[float] = []
        show_ms: list[float] = []
        state: dict[str, Any] = {"start": None, "frames": 0, "usage": None}
        found = {"faces": 0, "meshes": 0, "mask": 0}
        power = PowerSampler()
        governor = pipeline.governor
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
                    booth.restart()
                    window.begin()
                    power.start()
                    state.update(at_start=governor.seconds_at_levels() if governor is not None else {},
                                 changes_before=len(governor.changes) if governor is not None else 0)
                    state.update(start=now, drops0=pipeline.dropped, rec_drops0=recorder.dropped_frames)
                return
            if state["usage"] is not None:
                return
            state["frames"] += 1
            if self.when_window is not None:
                self.when_window(pipeline, now - state["start"])
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
            if booth.hands_ms:
                worker_ms.setdefault("model worker hands (gestures)", []).append(booth.hands_ms)
            if booth.last_state:
                ui_ms.setdefault(booth.last_state, []).append(booth.last_ui_ms)
                ui_cpu_ms.append(booth.last_ui_cpu_ms)
                show_ms.append(booth.last_show_ms)
            if work.scene is not None:
                found["faces"] += bool(work.scene.faces)
                found["meshes"] += bool(work.scene.meshes)
                found["mask"] += work.scene.mask is not None
            if now >= measure_until:
                state.update(usage=window.end(state["frames"]), end=now, drops=pipeline.dropped - state["drops0"],
                             rec_drops=recorder.dropped_frames - state["rec_drops0"], watts=power.stop(),
                             quality=_quality(governor, state["at_start"], state["changes_before"]))
                stop.set()

        pipeline.when_frame = when_frame
        try:
            pipeline.run(stop, max_seconds=self.warmup_s + self.seconds + 30.0)
        finally:
            power.stop()
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
            booth_ui_ms=summarize([ms for samples in ui_ms.values() for ms in samples]) if ui_ms else None,
            booth_ui_ms_by_state={state: summarize(ms) for state, ms in ui_ms.items()},
            booth_ui_cpu_ms=summarize(ui_cpu_ms) if ui_cpu_ms else None,
            booth_show_ms=summarize(show_ms) if show_ms else None,
            booth_screen="x".join(map(str, booth.display.screen.get_size())) if booth.display.screen else "",
            gestures={"on": booth.gestures is not None, "frames_with_hand": booth.hands_seen},
            quality=state["quality"], power_w=None if state["watts"] is None else round(state["watts"], 3),
            joules_per_recorded_minute=joules_per_minute(state["watts"]),
            power_source=SOURCE if state["watts"] is not None else "not measured: no PMIC readings on this board "
                                                                 "(vcgencmd pmic_read_adc: a Raspberry Pi 5)",
        )


    def _check_exercised(self, found: dict[str, int], frames: int) -> None:
        """A run whose models found nothing did not draw the heavy part of the effect: say so."""
        needs = components.needs_of(components.effect_name(self.effect_spec))
        for need, key in (("faces", "faces"), ("mesh", "meshes"), ("mask", "mask")):
            if need in needs and found[key] == 0 and not any(m.startswith("perception") for m in self.missing):
                self.missing.append(f"{need}: perception found none in {frames} frames, so the effect's "
                                    f"{need} drawing was not exercised")


def _quality(governor: QualityGovernor | None, at_start: dict[int, float], changes_before: int) -> Record:
    """The quality levels of the measured window: seconds at each, the changes and why."""
    if governor is None:
        return {"governor": "off", "levels_s": {}, "changes": [], "final": None}
    spent = {str(level): round(seconds - at_start.get(level, 0.0), 3)
             for level, seconds in governor.seconds_at_levels().items() if seconds - at_start.get(level, 0.0) > 0}
    return {"governor": "pinned" if governor.pinned else "on", "levels_s": spent, "final": governor.level.number,
            "final_name": governor.level.name, "target_fps": governor.target_fps,
            "changes": [{"t": c.t, "from": c.old, "to": c.new, "reason": c.reason}
                        for c in governor.changes[changes_before:]]}
