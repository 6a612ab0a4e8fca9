"""Rendered hands for the tests: pictures with known joints (tools/modelfactory/handrender) on a real background."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from tools.modelfactory import handrender
from tools.modelfactory.images import load_photo


@functools.cache
def background(size: tuple[int, int]) -> np.ndarray:
    """scikit-image's coffee photo (a held-out background of the model factory) at ``size``."""
    return cv2.resize(load_photo("coffee").image, size, interpolation=cv2.INTER_AREA)


def hand_picture(pose: str, *, size: tuple[int, int] = (640, 480), wrist: tuple[float, float] | None = None,
                 scale: float | None = None, seed: int = 0, left: bool = False,
                 amount: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """One RGB picture of a hand in ``pose`` and its (21, 2) joints in pixels."""
    rng = np.random.default_rng(seed)
    w, h = size
    scale = scale if scale is not None else 8.0 * h / 480
    wrist = wrist if wrist is not None else (w * 0.5, h * 0.8)
    hand = handrender.render(handrender.pose(pose, rng, 3.0, left), handrender.facing(pose, rng, amount, left),
                             scale=scale, wrist=wrist, size=size, rng=rng, skin=handrender.SKIN_TONES[1],
                             sleeve=handrender.SLEEVES[0])
    picture = np.clip(handrender.composite(background(size), hand), 0, 255).astype(np.uint8)
    return picture, hand.joints
