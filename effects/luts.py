"""Colour-grading lookup tables, built from simple per-channel curves (applied with ``cv2.LUT``)."""

from __future__ import annotations

import functools

import cv2
import numpy as np

GRADES = ("none", "warm", "cool", "vintage", "vivid", "mono")


def _curve(gamma: float = 1.0, lift: float = 0.0, gain: float = 1.0, contrast: float = 0.0) -> np.ndarray:
    x = np.linspace(0, 1, 256)
    y = x ** gamma
    y = y + contrast * (y - 0.5) * (1 - np.abs(2 * y - 1))  # S-curve around mid-grey
    y = lift + (gain - lift) * y
    return np.clip(y * 255, 0, 255)


@functools.cache
def lut(grade: str) -> np.ndarray | None:
    """A (256, 1, 3) uint8 table for RGB images, or None for "none"."""
    if grade == "none":
        return None
    if grade == "warm":
        chans = (_curve(0.92, 0.02, 1.0, 0.1), _curve(0.97, 0.01, 0.98, 0.1), _curve(1.08, 0.0, 0.9, 0.1))
    elif grade == "cool":
        chans = (_curve(1.06, 0.0, 0.93, 0.1), _curve(1.0, 0.01, 0.99, 0.1), _curve(0.92, 0.04, 1.0, 0.1))
    elif grade == "vintage":
        chans = (_curve(0.95, 0.08, 0.97, -0.1), _curve(1.0, 0.06, 0.93, -0.1), _curve(1.1, 0.12, 0.82, -0.1))
    elif grade == "vivid":
        chans = (_curve(1.0, 0.0, 1.0, 0.35),) * 3
    elif grade == "mono":
        chans = (_curve(1.0, 0.03, 0.97, 0.2),) * 3
    else:
        raise KeyError(grade)
    return np.stack(chans, axis=1).reshape(256, 1, 3).astype(np.uint8)


def grade(image: np.ndarray, name: str) -> np.ndarray:
    """Apply a named grade (a new array; the input is untouched)."""
    table = lut(name)
    if name == "mono":
        image = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    return image.copy() if table is None else cv2.LUT(image, table)


@functools.cache
def film() -> np.ndarray:
    """A cinematic grade that ties inserted art and the room into one shot: a gentle S-curve with
    slightly cool shadows and warm highlights, as a (256, 1, 3) RGB table."""
    x = np.linspace(0, 1, 256)
    s = x + 0.22 * (x - 0.5) * (1 - np.abs(2 * x - 1))            # contrast around mid-grey
    shadow, high = (1 - x) ** 2, x ** 2
    chans = [s + 0.025 * high - 0.015 * shadow, s + 0.004 * high + 0.004 * shadow, s - 0.03 * high + 0.03 * shadow]
    return (np.clip(np.stack(chans, 1), 0, 1) * 255).round().reshape(256, 1, 3).astype(np.uint8)
