"""Helpers on numpy RGB frames: feathered masks, cover-fitting, a cheap strong blur (blending: ``effects.blending``)."""

from __future__ import annotations

import cv2
import numpy as np


def feather_mask(mask: np.ndarray, px: float, work: int = 4) -> np.ndarray:
    """Soften a 0..1 float mask's edges by about ``px`` pixels (blurred at 1/``work`` size for speed)."""
    if px <= 0:
        return mask
    h, w = mask.shape
    small = cv2.resize(mask, (w // work, h // work), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(px / work / 2, 0.5))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale and centre-crop ``image`` to cover a (w, h) frame."""
    w, h = size
    ih, iw = image.shape[:2]
    if (iw, ih) == (w, h):
        return image
    f = max(w / iw, h / ih)
    scaled = cv2.resize(image, (max(w, round(iw * f)), max(h, round(ih * f))), interpolation=cv2.INTER_LINEAR)
    y0, x0 = (scaled.shape[0] - h) // 2, (scaled.shape[1] - w) // 2
    return scaled[y0:y0 + h, x0:x0 + w]


def blur(image: np.ndarray, strength: float) -> np.ndarray:
    """A strong, cheap blur: downscale, Gaussian, upscale.

    Strong blurs work at 1/8 size: on a Pi's Cortex-A72 a sigma-3 Gaussian at 1/4 size costs
    about 5 M instructions per 640x480 frame, at 1/8 size with sigma 1.5 under 1 M.
    """
    return blur_steps(image, strength)[0]


def blur_steps(image: np.ndarray, strength: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`blur`, with the two reduced pictures it went through: (blurred, reduced, reduced and blurred).

    The reduced ones are 1/8 of the size for strong blurs (``strength`` 8 and more), which is the
    compositing kit's ``thumbnail`` size: the light wrap can use them instead of reducing again.
    """
    h, w = image.shape[:2]
    k = 8 if strength >= 8 else 4
    reduced = cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(reduced, (0, 0), max(strength / k, 0.5))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), reduced, small
