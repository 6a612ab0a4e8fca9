
"""Procedural artwork for the effects: the backdrops (construction site, cloud loop).

Everything here is drawn by this project from geometric primitives and seeded noise, so the
assets are ours (Apache-2.0, like the code). Stickers are in ``sticker_art.py``, face-swap
characters in ``character_art.py``, the time machine's age map in ``age_maps.py``, the kaiju in
``kaiju_render.py``. Used by ``tools/make_assets.py``.
"""

from __future__ import annotations

import cv2
import numpy as np

AA = cv2.LINE_AA


def _poly(img: np.ndarray, pts: np.ndarray, color: tuple[int, ...], closed: bool = True,
          thickness: int = -1) -> None:
    p = np.round(np.asarray(pts) * 16).astype(np.int32)
    if thickness < 0:
        cv2.fillPoly(img, [p], color, AA, 4)
    else:
        cv2.polylines(img, [p], closed, color, thickness, AA, 4)


def _noise(shape: tuple[int, int], seed: int, blur: float) -> np.ndarray:
    """Smooth noise in -1..1."""
    n = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), blur)
    return n / (np.abs(n).max() + 1e-6)


def construction_site(w: int = 640, h: int = 480) -> np.ndarray:
    """A mountainside construction site at dusk: ridges, a cut slope, a crane and scaffolds."""
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = ((1 - yy) * np.array([120, 160, 220]) + yy * np.array([250, 200, 160])).astype(np.float32)
    img = np.repeat(img, w, axis=1)
    rng = np.random.default_rng(21)
    for layer, (base, col) in enumerate(((0.45, (120, 130, 160)), (0.55, (90, 110, 100)), (0.68, (80, 96, 70)))):
        xs = np.linspace(0, w, 40)
        ys = h * base + np.cumsum(rng.normal(0, 8 + 4 * layer, 40))
        ys -= np.linspace(0, 80 - 30 * layer, 40)
        _poly(img, np.vstack([np.c_[xs, ys], [[w, h], [0, h]]]), col)
    _poly(img, np.array([[0, h], [0, h * 0.78], [w * 0.5, h * 0.7], [w, h * 0.83], [w, h]]), (150, 120, 80))
    _poly(img, np.array([[w * 0.05, h], [w * 0.4, h * 0.76], [w * 0.5, h * 0.76], [w * 0.3, h]]), (110, 100, 90))
    for x0, floors in ((380, 5), (470, 7), (560, 4)):
        top = int(h * 0.8 - floors * 24)
        cv2.rectangle(img, (x0, top), (x0 + 60, int(h * 0.8)), (170, 170, 175), -1)
        for fy in range(top, int(h * 0.8), 24):
            cv2.line(img, (x0, fy), (x0 + 60, fy), (90, 90, 95), 2)
        for fx in range(x0, x0 + 61, 15):
            cv2.line(img, (fx, top), (fx, int(h * 0.8)), (200, 150, 60), 1)
    crane = (240, 170, 40)
    cv2.line(img, (520, int(h * 0.8)), (520, 90), crane, 6)
    cv2.line(img, (420, 95), (630, 95), crane, 5)
    for x in range(425, 630, 14):
        cv2.line(img, (x, 95), (x + 7, 84), crane, 2)
        cv2.line(img, (x + 7, 84), (x + 14, 95), crane, 2)
    cv2.line(img, (445, 95), (445, 190), (60, 60, 60), 2)
    cv2.rectangle(img, (435, 190), (455, 205), (80, 80, 90), -1)
    for x, y in rng.uniform((40, 400), (360, 470), (6, 2)):
        cv2.ellipse(img, (int(x), int(y)), (int(rng.integers(20, 40)), 14), 0, 180, 360, (120, 95, 70), -1, AA)
    img = img * (1 + _noise((h, w), 22, 1.0)[..., None] * 0.04)
    return np.clip(img, 0, 255).astype(np.uint8)


def cloud_frames(n: int = 24, w: int = 320, h: int = 240) -> list[np.ndarray]:
    """A seamless loop of drifting clouds: the pattern moves one full period in n frames."""
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    sky = (1 - yy) * np.array([70, 130, 230]) + yy * np.array([170, 210, 250])
    base = _noise((h, w), 31, 10.0) * 0.6 + _noise((h, w), 32, 4.0) * 0.4
    frames = []
    for i in range(n):
        shift = round(i * w / n)
        c = np.roll(base, shift, axis=1)
        cover = np.clip((c - 0.05) * 2.5, 0, 1)[..., None]
        frames.append(np.clip(sky * (1 - cover) + 250 * cover, 0, 255).astype(np.uint8))
    return frames
