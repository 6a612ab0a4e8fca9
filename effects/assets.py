"""Load the files in ``effects/assets/`` once per process (made by ``tools/make_assets.py``)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from magicbooth.core import media
from magicbooth.core.errors import EffectError

ASSETS = Path(__file__).resolve().parent / "assets"


def path(name: str) -> Path:
    """The path of a bundled asset; EffectError if it is missing."""
    p = ASSETS / name
    if not p.is_file():
        raise EffectError(f"effect asset {p} is missing; regenerate with 'python tools/make_assets.py'")
    return p


def read_image(file: str | Path, *, alpha: bool = False) -> np.ndarray:
    """An image file as RGB (or RGBA) uint8; EffectError naming the file if unreadable."""
    img = media.read_image(file, alpha=alpha, error=EffectError)
    img.flags.writeable = False
    return img


@functools.cache
def image(name: str, alpha: bool = False) -> np.ndarray:
    """A bundled image, cached and read-only."""
    return read_image(path(name), alpha=alpha)


@functools.cache
def gray(name: str) -> np.ndarray:
    img = cv2.imread(str(path(name)), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise EffectError(f"cannot read the bundled image {path(name)}; rebuild it: python tools/make_assets.py")
    img.flags.writeable = False
    return img


@functools.cache
def stickers() -> dict[str, Any]:
    """Sticker geometry by design name (see tools/asset_art.py STICKERS)."""
    return json.loads(path("stickers.json").read_text())


@dataclass(frozen=True)
class FaceModel:
    """The 468-point face layout: ``uv`` in 0..1, ``triangles`` (n, 3), named contour index lists."""

    uv: np.ndarray
    triangles: np.ndarray
    contours: dict[str, np.ndarray]

    def contour(self, name: str) -> np.ndarray:
        return self.contours[name]


@functools.cache
def face_model() -> FaceModel:
    with np.load(path("face_mesh.npz")) as data:
        arrays = {k: data[k] for k in data.files}
    contours = {k: v.astype(np.int32) for k, v in arrays.items() if k not in ("uv", "triangles", "mirror")}
    return FaceModel(arrays["uv"].astype(np.float32), arrays["triangles"].astype(np.int32), contours)


def read_video(file: str | Path, max_frames: int = 300, max_width: int = 1280) -> tuple[np.ndarray, ...]:
    """Decode a short video file to RGB frames (for looping backgrounds); EffectError if unreadable.

    Frames wider than ``max_width`` are scaled down while decoding: 300 full 1080p frames would hold
    1.9 GB, more than a small Pi has; the background is drawn at the camera's size anyway.
    """
    import av

    media.check_video(file, error=EffectError)
    try:
        with av.open(str(file)) as container:
            frames = []
            for frame in container.decode(video=0):
                scale = min(1.0, max_width / frame.width)
                if scale < 1:
                    frames.append(frame.to_ndarray(format="rgb24", width=round(frame.width * scale) // 2 * 2,
                                                   height=round(frame.height * scale) // 2 * 2))
                else:
                    frames.append(frame.to_ndarray(format="rgb24"))
                if len(frames) >= max_frames:
                    break
    except (av.error.FFmpegError, OSError) as exc:
        raise EffectError(f"cannot read video {file}: {exc}; give an MP4 or similar file") from None
    if not frames:
        raise EffectError(f"video {file} has no frames")
    return tuple(frames)


@functools.cache
def video(name: str) -> tuple[np.ndarray, ...]:
    """A bundled looping video as RGB frames, decoded once."""
    return read_video(path(name))
