"""H.264 encoder speed, through the recorder's own ``VideoEncoder`` so the cost is the booth's."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from magicbooth.bench.measures import Record, measured, not_measured, rounded, summarize
from magicbooth.bench.resources import process_cpu_s
from magicbooth.core.config import Config
from magicbooth.core.errors import RecorderError
from magicbooth.recording.encoder import HARDWARE, SOFTWARE, VideoEncoder

log = logging.getLogger(__name__)

ENCODERS = (SOFTWARE, HARDWARE)


def encoder_missing(name: str) -> str | None:
    """``None`` if FFmpeg (inside PyAV) has encoder ``name``, else why not."""
    if name not in av.codecs_available:
        return f"the FFmpeg inside PyAV {av.__version__} has no {name} encoder"
    if name == HARDWARE and not Path("/dev/video11").exists():
        return "no V4L2 memory-to-memory encoder device (/dev/video11: a Raspberry Pi 4's hardware encoder)"
    return None


def benchmark_encoder(name: str, images: Sequence[np.ndarray], fps: int, config: Config) -> Record:
    """Encode ``images`` as fast as they go: ms per frame, fps and CPU ms per frame (all encoder threads)."""
    label = {"name": f"encode {name}", "kind": "encoder"}
    missing = encoder_missing(name)
    if missing:
        return not_measured(missing, **label)
    h, w = images[0].shape[:2]
    try:
        encoder = VideoEncoder(name, (w, h), fps, config.recorder)
    except RecorderError as exc:
        return not_measured(str(exc), **label)
    samples, size = [], 0
    cpu0, wall0 = process_cpu_s(), time.perf_counter()
    try:
        for i, image in enumerate(images):
            began = time.perf_counter()
            packets = encoder.encode(image, i / fps)
            samples.append((time.perf_counter() - began) * 1000.0)
            size += sum(p.packet.size for p in packets)
    finally:
        encoder.close()
    wall, cpu = time.perf_counter() - wall0, process_cpu_s() - cpu0
    return measured(**label, ms=summarize(samples), samples_ms=rounded(samples), fps=round(len(images) / wall, 2),
                    cpu_ms_per_frame=round(1000.0 * cpu / len(images), 3),
                    detail=f"{w}x{h}, {len(images)} frames, preset {config.recorder.preset}, "
                           f"about {size / max(1, len(images)) / 1024:.1f} KiB per frame")
