"""Shared helpers for the recorder and clip tests: configs, numbered frames, paced pushing."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from magicbooth.core.config import Config
from magicbooth.recording.recorder import Recorder

SIZE = (160, 120)
FPS = 30


def config_for(root: Path, **recorder: object) -> Config:
    """Defaults with the clip library at ``root``, no free-space guard, and recorder overrides."""
    cfg = Config().replace("storage", clips_dir=str(root), min_free_mb=0.0, low_free_mb=0.0)
    return cfg.replace("recorder", **recorder) if recorder else cfg


def numbered(i: int, size: tuple[int, int] = SIZE) -> np.ndarray:
    """A frame whose two flat halves encode ``i`` (0..255) in steps of 16, readable after lossy coding."""
    image = np.empty((size[1], size[0], 3), np.uint8)
    half = size[0] // 2
    image[:, :half] = (i // 16 % 16) * 16 + 8
    image[:, half:] = (i % 16) * 16 + 8
    return image


def index_of(frame: av.VideoFrame) -> int:
    grey = frame.to_ndarray(format="gray").astype(np.float32)
    half = grey.shape[1] // 2
    high = round((float(grey[:, 4:half - 4].mean()) - 8) / 16)
    low = round((float(grey[:, half + 4:-4].mean()) - 8) / 16)
    return high * 16 + low


def push_paced(rec: Recorder, first: int, count: int, size: tuple[int, int] = SIZE, fps: int = FPS) -> None:
    """Push frames ``first..first+count-1`` at t = i/fps, letting the encoder keep up (no drops)."""
    for i in range(first, first + count):
        rec.push(numbered(i, size), i / fps)
        deadline = time.monotonic() + 5
        while rec.pending_frames > 1 and time.monotonic() < deadline:
            time.sleep(0.001)


def read_back(path: Path) -> dict:
    """Decode a clip with PyAV: codec, fps, duration, the frames' indices and keyframe flags."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        frames = list(c.decode(stream))
        return {"codec": stream.codec_context.name, "fps": float(stream.average_rate or 0),
                "duration_s": float(stream.duration * stream.time_base) if stream.duration else None,
                "frames": len(frames), "indices": [index_of(f) for f in frames],
                "keyframes": [f.key_frame for f in frames],
                "audio": [(s.codec_context.name, float(s.duration * s.time_base) if s.duration else None)
                          for s in c.streams.audio]}


@contextlib.contextmanager
def small_disk(path: Path, size_kb: int) -> Iterator[Path]:
    """A private tmpfs of ``size_kb`` at ``path`` (root only); skips the test where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'}); "
                    f"the free-space threshold tests still run")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def noise(i: int, size: tuple[int, int] = SIZE) -> np.ndarray:
    """Incompressible frames: fill a small disk quickly."""
    return np.random.default_rng(i).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
