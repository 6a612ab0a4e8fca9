# ruff: noqa: RUF005  (numpy array + tuple offsets, not sequence concatenation)
"""Procedural artwork for the effects: wrinkle map, kaiju, backdrops.

Everything here is drawn by this project from geometric primitives and seeded noise, so the
assets are ours (Apache-2.0, like the code). The wrinkle map is painted in the layout of
``face_mesh.npz`` so features land on the matching landmarks. Stickers are in ``sticker_art.py``,
face-swap characters in ``character_art.py``. Used by ``tools/make_assets.py``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

AA = cv2.LINE_AA
TEX = 320  # face texture size in pixels


def _rgba(h: int, w: int) -> np.ndarray:
    return np.zeros((h, w, 4), np.uint8)


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


class FaceCanvas:
    """A texture in the face layout: landmark i sits at ``self.p(i)``."""

    def __init__(self, mesh: dict[str, np.ndarray], size: int = TEX) -> None:
        self.mesh, self.size = mesh, size
        self.uv = mesh["uv"] * size
        self.img = np.zeros((size, size, 3), np.uint8)

    def p(self, *idx: int) -> np.ndarray:
        return self.uv[list(idx)].mean(0) if len(idx) > 1 else self.uv[idx[0]]

    def loop(self, name: str) -> np.ndarray:
        return self.uv[self.mesh[name]]

    def fill(self, color: tuple[int, int, int]) -> None:
        self.img[:] = color

    def shade(self, factor: np.ndarray) -> None:
        self.img = np.clip(self.img.astype(np.float32) * factor[..., None], 0, 255).astype(np.uint8)

    def radial(self, strength: float) -> np.ndarray:
        """1 in the face centre falling to 1-strength at the rim, for a rounded look."""
        yy, xx = np.mgrid[0:self.size, 0:self.size].astype(np.float32) / self.size
        c = self.p(1) / self.size
        r = np.sqrt(((xx - c[0]) / 0.55) ** 2 + ((yy - c[1]) / 0.65) ** 2)
        return 1 - strength * np.clip(r, 0, 1) ** 2

    def dilated(self, name: str, by: float) -> np.ndarray:
        pts = self.loop(name)
        c = pts.mean(0)
        return c + (pts - c) * by


def wrinkles(mesh: dict[str, np.ndarray]) -> np.ndarray:
    """Age shading in the face layout: 128 is neutral, darker creases, lighter folds, age spots."""
    f = FaceCanvas(mesh)
    g = np.full((TEX, TEX), 128, np.float32)
    ed = float(np.linalg.norm(f.p(263) - f.p(33)))

    def crease(pts: np.ndarray, depth: float, width: int = 2) -> None:
        p = np.round(pts * 16).astype(np.int32)
        depth *= 0.6
        cv2.polylines(g, [p + (0, int(width * 16))], False, 128 + depth * 0.5, width + 1, AA, 4)
        cv2.polylines(g, [p], False, 128 - depth, width, AA, 4)

    top, brows = f.p(10)[1], (f.p(105)[1] + f.p(334)[1]) / 2
    for k, y in enumerate(np.linspace(top + (brows - top) * 0.3, brows - ed * 0.12, 4)):
        xs = np.linspace(f.p(105)[0] - ed * 0.2, f.p(334)[0] + ed * 0.2, 12)
        ys = y + np.sin(np.linspace(0, math.pi, 12)) * -ed * 0.06 + np.sin(xs * 0.15 + k) * 1.5
        crease(np.c_[xs, ys], 55)
    for k in (-1, 1):
        c = f.p(9) + (k * ed * 0.12, ed * 0.05)
        crease(np.array([c, c + (k * ed * 0.03, ed * 0.3)]), 45)
    for corner, k in ((33, -1), (263, 1)):
        c = f.p(corner)
        for a in (-25, 0, 25):
            d = np.array([math.cos(math.radians(a)), math.sin(math.radians(a))]) * ed * 0.35
            crease(np.array([c + (k * ed * 0.08, 0), c + (k * d[0], d[1])]), 40, 1)
    for eye, k in (("right_eye_0", 1), ("left_eye_0", 1)):
        pts = f.loop(eye)
        lo = pts[pts[:, 1] >= np.median(pts[:, 1])]
        lo = lo[np.argsort(lo[:, 0])]
        crease(lo + (0, ed * 0.16 * k), 45)
        crease(lo + (0, ed * 0.26), 30)
    for wing, corner, k in ((129, 61, -1), (358, 291, 1)):
        a, b = f.p(wing), f.p(corner)
        mid = (a + b) / 2 + (k * ed * 0.12, 0)
        ts = np.linspace(0, 1, 10)[:, None]
        crease((1 - ts) ** 2 * a + 2 * (1 - ts) * ts * mid + ts ** 2 * (b + (k * ed * 0.1, ed * 0.1)), 70, 3)
        crease(np.array([b + (k * ed * 0.05, ed * 0.05), b + (k * ed * 0.1, ed * 0.45)]), 45)
    rng = np.random.default_rng(7)
    for c in rng.uniform(0.2, 0.8, (28, 2)) * TEX:
        cv2.circle(g, tuple(np.int32(c)), int(rng.integers(2, 5)), float(rng.uniform(95, 115)), -1, AA)
    g = cv2.GaussianBlur(g, (0, 0), 1.6) + _noise((TEX, TEX), 8, 0.7) * 10
    return np.clip(g, 0, 255).astype(np.uint8)


def _outline(img: np.ndarray, px: int = 3) -> np.ndarray:
    """A dark outline under an RGBA drawing, so stickers read on any background."""
    a = img[..., 3]
    grown = cv2.dilate(a, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1)))
    out = np.zeros_like(img)
    out[..., :3] = (30, 24, 28)
    out[..., 3] = grown
    alpha = a[..., None].astype(np.float32) / 255
    out[..., :3] = (img[..., :3] * alpha + out[..., :3] * (1 - alpha)).astype(np.uint8)
    return out


def kaiju(glow: bool) -> np.ndarray:
    """Our own kaiju, facing left: scaly body, long tail, dorsal plates (glowing when it roars)."""
    h, w = 480, 400
    img = _rgba(h, w)
    body = (62, 78, 66, 255)
    dark = (40, 52, 46, 255)
    _poly(img, np.array([[250, 300], [390, 420], [398, 470], [300, 440], [220, 380]]), dark)   # tail
    cv2.ellipse(img, (220, 300), (95, 150), 8, 0, 360, body, -1, AA)                           # torso
    cv2.ellipse(img, (200, 330), (55, 110), 8, 0, 360, (96, 112, 88, 255), -1, AA)             # belly
    cv2.ellipse(img, (150, 95), (70, 50), -15, 0, 360, body, -1, AA)                           # head
    _poly(img, np.array([[90, 95], [40, 120], [50, 140], [120, 135]]), body)                   # snout
    _poly(img, np.array([[40, 130], [110, 138], [100, 150], [55, 148]]), dark)                 # jaw
    for x, y in ((175, 410), (250, 420)):
        cv2.rectangle(img, (x - 30, y - 40), (x + 30, y + 55), body, -1, AA)                  # legs
        cv2.ellipse(img, (x - 8, y + 55), (42, 14), 0, 0, 360, dark, -1, AA)
    for y in (230, 260):
        _poly(img, np.array([[150, y], [90, y + 40], [95, y + 55], [160, y + 25]]), body)      # arms
    plate = (110, 230, 255, 255) if glow else (150, 160, 140, 255)
    for k in range(8):
        t = k / 7
        x, y = 215 + 90 * t, 60 + 300 * t
        s = 38 - 18 * t
        _poly(img, np.array([[x - s * 0.3, y + s * 0.5], [x + s, y - s * 0.4], [x + s * 0.4, y + s]]), plate)
    cv2.circle(img, (135, 85), 9, (255, 220, 60, 255) if not glow else (255, 255, 255, 255), -1, AA)
    cv2.circle(img, (133, 85), 4, (20, 10, 10, 255), -1, AA)
    scales = (_noise((h, w), 12, 1.2) * 0.18 + 1)[..., None]
    img[..., :3] = np.clip(img[..., :3] * scales, 0, 255).astype(np.uint8)
    if glow:
        halo = cv2.GaussianBlur((np.all(img[..., :3] == plate[:3], axis=2) * 255).astype(np.uint8), (0, 0), 9)
        img[..., :3] = np.clip(img[..., :3].astype(np.int16) + (halo[..., None] * np.array([0.3, 0.8, 1.0])),
                               0, 255).astype(np.uint8)
        img[..., 3] = np.maximum(img[..., 3], halo)
    return _outline(img, 2)


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
