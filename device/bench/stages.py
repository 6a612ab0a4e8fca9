"""Per-stage costs at the configured resolution: capture, each model, each effect, encoders, display.

Each stage is measured on its own, on the same captured frames, so the bars
add up to what one frame would cost if nothing ran in parallel. Anything this
machine lacks (camera, hardware encoder, screen) is a "not measured" record
that says why.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from magicbooth.bench.encoding import ENCODERS, benchmark_encoder
from magicbooth.bench.measures import Record, measured, not_measured, rounded, summarize
from magicbooth.bench.resources import process_cpu_s
from magicbooth.camera import Picamera2Source, WebcamSource, open_source
from magicbooth.core.config import Config
from magicbooth.core.errors import MagicboothError
from magicbooth.core.frames import Frame
from magicbooth.core.machine import display_candidates

log = logging.getLogger(__name__)

CAMERA_SPECS = ("auto", "picamera2", "webcam")
Tick = Callable[[], None]


def is_camera_spec(spec: str) -> bool:
    return spec in CAMERA_SPECS or spec.startswith(("webcam:", "/dev/video"))


def camera_present() -> str | None:
    """The camera ``auto`` would pick, or ``None``."""
    if Picamera2Source.available():
        return "picamera2"
    if WebcamSource.available(0):
        return "webcam:0"
    return None


def measure_capture(spec: str, config: Config, frames: int, tick: Tick) -> tuple[list[Record], list[Frame]]:
    """Capture fps from the source (and a 'not measured' camera line when there is none)."""
    records: list[Record] = []
    camera = camera_present()
    if spec == "auto":
        spec = camera or "sample"
    if not is_camera_spec(spec):
        why = "no camera connected (no picamera2 camera, no /dev/video0)" if camera is None else (
            f"this run used --source {spec}; rerun with --source {camera} to measure the camera")
        records.append(not_measured(why, name="capture camera", kind="capture"))
    try:
        source = open_source(spec, config, realtime=is_camera_spec(spec), loop=True)
        source.open()
    except (MagicboothError, OSError) as exc:
        records.append(not_measured(f"could not open source {spec!r}: {exc}", name=f"capture {spec}",
                                    kind="capture"))
        return records, []
    captured: list[Frame] = []
    samples = []
    try:
        cpu0, wall0 = process_cpu_s(), time.perf_counter()
        for _ in range(frames):
            began = time.perf_counter()
            frame = source.read()
            if frame is None:
                break
            samples.append((time.perf_counter() - began) * 1000.0)
            captured.append(frame)
            tick()
        wall, cpu = time.perf_counter() - wall0, process_cpu_s() - cpu0
        label = "camera" if is_camera_spec(spec) else ("sample" if spec == "sample" else "file")
        detail = (f"{source.describe()}; " + ("paced by the camera" if is_camera_spec(spec)
                                              else "decode as fast as possible (file frames are not paced)"))
    finally:
        source.close()
    if not samples:
        records.append(not_measured(f"source {spec!r} gave no frames", name=f"capture {label}", kind="capture"))
        return records, []
    records.append(measured(name=f"capture {label}", kind="capture", ms=summarize(samples),
                            samples_ms=rounded(samples), fps=round(len(samples) / wall, 2),
                            cpu_ms_per_frame=round(1000.0 * cpu / len(samples), 3), detail=detail))
    return records, captured


def measure_perception(config: Config, frames: Sequence[Frame], tick: Tick) -> tuple[list[Record], list[Any]]:
    """Each perception model's cost per frame, offline, with every model on."""
    try:
        from magicbooth.perception import Perception
    except ImportError:
        return [not_measured("perception (magicbooth.perception) is not part of this build",
                             name="perception", kind="perception")], []
    try:
        perception = Perception(config, needs={"faces", "mesh", "mask"})
    except (MagicboothError, OSError) as exc:
        return [not_measured(f"perception models would not load: {exc}", name="perception",
                             kind="perception")], []
    per_model: dict[str, list[float]] = {}
    totals, cpu, scenes = [], [], []
    found = {"faces": 0, "meshes": 0, "mask": 0}
    for frame in frames:
        began, cpu_began = time.perf_counter(), time.process_time()
        scene = perception.process(frame)
        totals.append((time.perf_counter() - began) * 1000.0)
        cpu.append((time.process_time() - cpu_began) * 1000.0)
        scenes.append(scene)
        found["faces"] += bool(scene.faces)
        found["meshes"] += bool(scene.meshes)
        found["mask"] += scene.mask is not None
        for name, ms in scene.timings.items():
            per_model.setdefault(name, []).append(ms)
        tick()
    records = [measured(name=f"perception {name}", kind="perception", ms=summarize(ms), samples_ms=rounded(ms))
               for name, ms in per_model.items()]
    records.append(measured(name="perception total", kind="perception", ms=summarize(totals),
                            samples_ms=rounded(totals), cpu_ms=summarize(cpu), found=found,
                            detail="all models in order on one thread, with decoding and tracking; found "
                                   + ", ".join(f"{k} in {v}/{len(frames)} frames" for k, v in found.items())))
    return records, scenes


def measure_effects(config: Config, frames: Sequence[Frame], scenes: Sequence[Any], tick: Tick) -> list[Record]:
    """Each installed effect's ``render`` cost on the perceived frames."""
    try:
        from magicbooth import effects
    except ImportError:
        return [not_measured("the effects package is not part of this build", name="effects", kind="effect")]
    if not scenes:
        return [not_measured("no perception scenes to draw on (perception not measured)", name="effects",
                             kind="effect")]
    return [_time_effect(name, effects.create(name), scenes, tick) for name in effects.available()]


def _time_effect(name: str, effect: Any, scenes: Sequence[Any], tick: Tick) -> Record:
    import pygame

    samples, cpu = [], []
    for scene in scenes:
        image = scene.frame.image.copy()
        h, w = image.shape[:2]
        canvas = pygame.image.frombuffer(image, (w, h), "RGB")
        began, cpu_began = time.perf_counter(), time.process_time()
        effect.render(canvas, scene, scene.frame.t)
        samples.append((time.perf_counter() - began) * 1000.0)
        cpu.append((time.process_time() - cpu_began) * 1000.0)
        tick()
    return measured(name=f"effect {name}", kind="effect", ms=summarize(samples), samples_ms=rounded(samples),
                    cpu_ms=summarize(cpu))


def measure_encoders(config: Config, frames: Sequence[Frame], fps: int, tick: Tick) -> list[Record]:
    """libx264 and the Pi 4's hardware encoder, each as fast as it will go."""
    images = [f.image for f in frames]
    records = []
    for name in ENCODERS:
        records.append(benchmark_encoder(name, images, fps, config))
        tick()
    return records


@contextlib.contextmanager
def offscreen_display(config: Config) -> Iterator[tuple[Any, str | None]]:
    """A ``Display`` on the real screen if there is one, else on SDL's dummy driver.

    Yields the display and, when there is no screen, the reason the flip to a
    real screen cannot be measured.
    """
    from magicbooth.pipeline.display import Display

    no_screen = None if display_candidates() else "no screen here (no desktop session, no DRM device)"
    saved = os.environ.get("SDL_VIDEODRIVER")
    if no_screen:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    display = Display(config.display, mode="window" if no_screen else "auto")
    try:
        display.open(config.camera.size)
        yield display, no_screen if display.is_shown else "the display would not open"
    finally:
        display.close()
        if no_screen:
            if saved is None:
                os.environ.pop("SDL_VIDEODRIVER", None)
            else:
                os.environ["SDL_VIDEODRIVER"] = saved


def measure_display(config: Config, frames: Sequence[Frame], tick: Tick) -> list[Record]:
    """The blit (mirror, scale, copy, flip) of one canvas per frame."""
    import pygame

    records = []
    with offscreen_display(config) as (display, no_screen):
        if not display.is_shown:
            return [not_measured(no_screen or "no display", name="display blit", kind="display")]
        samples, cpu = [], []
        for frame in frames:
            image = np.ascontiguousarray(frame.image)
            h, w = image.shape[:2]
            # ignore: pygame's stub takes bytes-like types only; frombuffer takes any buffer (numpy too)
            canvas = pygame.image.frombuffer(image, (w, h), "RGB")  # type: ignore[arg-type]
            began, cpu_began = time.perf_counter(), time.process_time()
            display.show(canvas)
            samples.append((time.perf_counter() - began) * 1000.0)
            cpu.append((time.process_time() - cpu_began) * 1000.0)
            tick()
        detail = f"{display.driver} driver, {display.mode}" + (", mirrored" if display.mirror else "")
        if no_screen:
            detail += "; into a software surface only"
        records.append(measured(name="display blit", kind="display", ms=summarize(samples),
                                samples_ms=rounded(samples), cpu_ms=summarize(cpu), detail=detail))
    if no_screen:
        records.append(not_measured(f"{no_screen}; the flip to a real screen (kmsdrm or a window) "
                                    "costs extra there", name="display screen", kind="display"))
    return records
