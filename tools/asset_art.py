# ruff: noqa: RUF005  (numpy array + tuple offsets, not sequence concatenation)
"""Procedural artwork for the effects: stickers, character faces, kaiju, backdrops.

Everything here is drawn by this project from geometric primitives and seeded noise, so the
assets are ours (Apache-2.0, like the code). Face textures are painted in the layout of
``face_mesh.npz`` so features land on the matching landmarks. Used by ``tools/make_assets.py``.
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


def _fur(img: np.ndarray, seed: int, colour: tuple[int, int, int], count: int = 2500) -> None:
    """Short soft strands all over, combed outwards from the centre."""
    rng = np.random.default_rng(seed)
    h, w = img.shape[:2]
    centre = np.array([w / 2, h * 0.55])
    for x, y in rng.uniform(0, 1, (count, 2)) * (w, h):
        d = np.array([x, y]) - centre
        d = d / (np.linalg.norm(d) + 1e-6) * rng.uniform(4, 9)
        shade = tuple(int(c * rng.uniform(0.6, 1.4)) for c in colour)
        cv2.line(img, (int(x), int(y)), (int(x + d[0]), int(y + d[1])), shade, 1, AA)


def ape_face(mesh: dict[str, np.ndarray]) -> np.ndarray:
    """Our own ape: dark shaggy fur, bare leathery skin round the eyes and a big muzzle, heavy brow."""
    f = FaceCanvas(mesh)
    f.fill((52, 38, 30))
    _fur(f.img, 1, (70, 50, 38))
    skin = (104, 88, 78)
    ed = float(np.linalg.norm(f.p(263) - f.p(33)))
    eyes_c = (f.p(33) + f.p(263)) / 2
    mask = np.zeros((TEX, TEX), np.uint8)
    for side in (f.p(33, 133), f.p(362, 263)):
        centre = tuple(np.int32(side + (0, ed * 0.04)))
        cv2.ellipse(mask, centre, (int(ed * 0.4), int(ed * 0.3)), 0, 0, 360, 255, -1, AA)
    cv2.ellipse(mask, tuple(np.int32(eyes_c + (0, ed * 0.3))), (int(ed * 0.22), int(ed * 0.4)), 0, 0, 360, 255, -1, AA)
    muzzle_c = (f.p(1) + f.p(14)) / 2 + (0, ed * 0.15)
    cv2.ellipse(mask, tuple(np.int32(muzzle_c)), (int(ed * 0.66), int(ed * 0.58)), 0, 0, 360, 255, -1, AA)
    soft = cv2.GaussianBlur(mask, (0, 0), 2.5).astype(np.float32)[..., None] / 255
    bare = np.empty_like(f.img)
    bare[:] = skin
    bare = np.clip(bare * (1 + _noise((TEX, TEX), 3, 1.5) * 0.12)[..., None], 0, 255)
    f.img = (f.img * (1 - soft) + bare * soft).astype(np.uint8)
    # Muzzle bulges: lighter towards its centre.
    yy, xx = np.mgrid[0:TEX, 0:TEX].astype(np.float32)
    bulge = np.exp(-(((xx - muzzle_c[0]) / (ed * 0.55)) ** 2 + ((yy - muzzle_c[1] + ed * 0.1) / (ed * 0.45)) ** 2))
    f.shade(f.radial(0.3) * (1 + 0.25 * bulge))
    for side in ("right_eye_0", "left_eye_0"):
        _poly(f.img, f.dilated(side, 1.5), (62, 48, 42))
        _poly(f.img, f.dilated(side, 1.15), (34, 24, 20))
    for brow in ("right_eyebrow_1", "left_eyebrow_1"):
        pts = f.loop(brow) + (0, ed * 0.06)
        _poly(f.img, pts, (30, 22, 18), closed=False, thickness=max(4, int(ed * 0.2)))
        _poly(f.img, pts - (0, ed * 0.05), (80, 64, 54), closed=False, thickness=2)
    for wing in (f.p(98, 97), f.p(327, 326)):
        cv2.ellipse(f.img, tuple(np.int32(wing + (0, ed * 0.02))), (int(ed * 0.1), int(ed * 0.06)), 25, 0, 360,
                    (22, 14, 12), -1, AA)
    _poly(f.img, f.loop("lips_0"), (64, 46, 42))
    _poly(f.img, f.loop("lips_1"), (26, 16, 14), thickness=3)
    for k in (-1, 1):
        c = f.p(1) + (k * ed * 0.38, ed * 0.1)
        cv2.ellipse(f.img, tuple(np.int32(c)), (int(ed * 0.3), int(ed * 0.28)), 0, 200 if k < 0 else -20,
                    250 if k < 0 else 30, (70, 56, 48), 2, AA)
    return f.img


def robot_face(mesh: dict[str, np.ndarray]) -> np.ndarray:
    """Our own robot: brushed metal plates, panel seams, rivets, glowing visor rims and a mouth grille."""
    f = FaceCanvas(mesh)
    yy = np.linspace(0, 1, TEX, dtype=np.float32)[:, None]
    base = np.array([196, 204, 214], np.float32) * (1.05 - 0.35 * yy[..., None])
    streaks = _noise((TEX, TEX), 5, 0.6) * 0.05 + 1
    f.img = np.clip(base * streaks[..., None], 0, 255).astype(np.uint8)
    f.shade(f.radial(0.45))
    ed = float(np.linalg.norm(f.p(263) - f.p(33)))
    seam = (70, 76, 88)
    _poly(f.img, np.array([f.p(10), f.p(168), f.p(4), f.p(2)]), seam, closed=False, thickness=2)
    for a, b in ((234, 205), (454, 425), (58, 61), (288, 291), (132, 172), (361, 397)):
        _poly(f.img, np.array([f.p(a), f.p(b)]), seam, closed=False, thickness=2)
    forehead = np.array([f.p(54), f.p(103), f.p(67), f.p(10), f.p(297), f.p(332), f.p(284)])
    _poly(f.img, np.vstack([forehead, f.p(334) - (0, ed * 0.15), f.p(105) - (0, ed * 0.15)]), (150, 158, 172))
    for i in (54, 284, 234, 454, 172, 397, 67, 297):
        c = tuple(np.int32(f.p(i) * 0.85 + f.p(1) * 0.15))
        cv2.circle(f.img, c, 4, (90, 96, 108), -1, AA)
        cv2.circle(f.img, c, 2, (235, 240, 245), -1, AA)
    for side in ("right_eye_0", "left_eye_0"):
        _poly(f.img, f.dilated(side, 1.45), (30, 36, 46))
        _poly(f.img, f.dilated(side, 1.3), (60, 230, 255), thickness=4)
    lips = f.loop("lips_0")
    _poly(f.img, f.dilated("lips_0", 1.1), (48, 52, 62))
    x0, x1 = lips[:, 0].min(), lips[:, 0].max()
    for y in np.linspace(lips[:, 1].min() + 3, lips[:, 1].max() - 3, 5):
        cv2.line(f.img, (int(x0 + 6), int(y)), (int(x1 - 6), int(y)), (150, 160, 175), 2, AA)
    for k in (-1, 1):
        c = f.p(1) + (k * ed * 0.75, ed * 0.3)
        cv2.circle(f.img, tuple(np.int32(c)), int(ed * 0.1), (255, 120, 60), -1, AA)
    return f.img


def cartoon_face(mesh: dict[str, np.ndarray]) -> np.ndarray:
    """A toon face: flat skin, round blush, inked outlines, bold brows, glossy lips, freckles."""
    f = FaceCanvas(mesh)
    f.fill((255, 212, 184))
    f.shade(f.radial(0.18))
    ed = float(np.linalg.norm(f.p(263) - f.p(33)))
    for k, idx in ((-1, 50), (1, 280)):
        c = f.uv[idx] + (0, ed * 0.05)
        cv2.circle(f.img, tuple(np.int32(c)), int(ed * 0.28), (255, 150, 150), -1, AA)
        rng = np.random.default_rng(10 + k)
        for d in rng.normal(0, ed * 0.12, (6, 2)):
            cv2.circle(f.img, tuple(np.int32(c + d - (0, ed * 0.1))), 2, (196, 120, 90), -1, AA)
    f.img = cv2.GaussianBlur(f.img, (0, 0), 2.0)
    ink = (40, 26, 30)
    for side in ("right_eye_0", "left_eye_0"):
        _poly(f.img, f.dilated(side, 1.25), ink, thickness=4)
    for brow in ("right_eyebrow_1", "left_eyebrow_1"):
        _poly(f.img, f.loop(brow) - (0, ed * 0.05), (90, 50, 30), closed=False, thickness=max(4, int(ed * 0.12)))
    _poly(f.img, f.loop("lips_0"), (230, 60, 90))
    _poly(f.img, f.loop("lips_0"), ink, thickness=2)
    cv2.ellipse(f.img, tuple(np.int32(f.p(0) + (ed * 0.15, ed * 0.04))), (int(ed * 0.08), int(ed * 0.03)), 0, 0,
                360, (255, 200, 210), -1, AA)
    nose = f.p(1)
    cv2.ellipse(f.img, tuple(np.int32(nose)), (int(ed * 0.18), int(ed * 0.12)), 0, 20, 160, ink, 3, AA)
    _poly(f.img, f.loop("face_oval_0"), ink, thickness=5)
    return f.img


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


def sticker_bunny() -> np.ndarray:
    img = _rgba(300, 360)
    for cx, ang in ((115, -12), (245, 12)):
        cv2.ellipse(img, (cx, 150), (48, 140), ang, 0, 360, (250, 250, 252, 255), -1, AA)
        cv2.ellipse(img, (cx, 160), (26, 110), ang, 0, 360, (255, 170, 190, 255), -1, AA)
    return _outline(img)


def sticker_cat() -> np.ndarray:
    img = _rgba(200, 360)
    for x0, sign in ((40, 1), (320, -1)):
        outer = np.array([[x0, 190], [x0 + sign * 40, 10], [x0 + sign * 120, 170]], np.float32)
        inner = outer.mean(0) + (outer - outer.mean(0)) * 0.55 + (0, 10)
        _poly(img, outer, (240, 150, 60, 255))
        _poly(img, inner, (255, 180, 200, 255))
    return _outline(img)


def sticker_crown() -> np.ndarray:
    img = _rgba(200, 320)
    pts = np.array([[20, 190], [20, 60], [80, 120], [110, 30], [160, 110], [210, 30], [240, 120], [300, 60],
                    [300, 190]], np.float32)
    _poly(img, pts, (245, 190, 40, 255))
    cv2.rectangle(img, (20, 150), (300, 190), (215, 150, 30, 255), -1, AA)
    for x, col in ((70, (220, 40, 60)), (160, (40, 90, 230)), (250, (40, 180, 90))):
        cv2.circle(img, (x, 170), 13, (*col, 255), -1, AA)
        cv2.circle(img, (x - 4, 166), 4, (255, 255, 255, 255), -1, AA)
    for x, y in ((20, 60), (110, 30), (210, 30), (300, 60)):
        cv2.circle(img, (x, y), 11, (255, 235, 160, 255), -1, AA)
    return _outline(img)


def sticker_tophat() -> np.ndarray:
    img = _rgba(280, 340)
    cv2.rectangle(img, (85, 20), (255, 230), (28, 28, 34, 255), -1, AA)
    cv2.ellipse(img, (170, 20), (85, 16), 0, 0, 360, (45, 45, 52, 255), -1, AA)
    cv2.rectangle(img, (85, 180), (255, 222), (190, 30, 50, 255), -1, AA)
    cv2.ellipse(img, (170, 240), (165, 30), 0, 0, 360, (28, 28, 34, 255), -1, AA)
    cv2.rectangle(img, (100, 30), (112, 175), (70, 70, 82, 255), -1, AA)
    return _outline(img)


# Sticker geometry, in units of the distance between the eyes: how wide the sticker is,
# which point of the image (fractions of its width/height) is its anchor, and how far above
# the midpoint of the eyes that anchor sits along the face's up direction.
STICKERS = {
    "bunny": {"draw": sticker_bunny, "width": 3.0, "anchor": (0.5, 0.92), "above": 1.55},
    "cat": {"draw": sticker_cat, "width": 3.1, "anchor": (0.5, 0.9), "above": 1.45},
    "crown": {"draw": sticker_crown, "width": 2.2, "anchor": (0.5, 0.95), "above": 1.6},
    "tophat": {"draw": sticker_tophat, "width": 2.6, "anchor": (0.5, 0.9), "above": 1.5},
}


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
