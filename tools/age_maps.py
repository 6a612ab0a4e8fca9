# ruff: noqa: RUF005  (numpy array + tuple offsets, not sequence concatenation)
"""The time machine's ageing map, painted in the face-mesh texture layout at asset-build time.

One RGB image in the layout of ``face_mesh.npz`` (landmark i at ``uv[i] * TEX``):

- R: wrinkle relief as shading, 128 neutral. Each wrinkle is a groove in a height map (forehead lines,
  frown lines, crow's feet, eye bags, nasolabial folds with the cheek bulging over them, marionette and
  lip lines, fine crepe on the cheeks), lit from above and in front, plus cavity darkening; so a wrinkle
  has a dark and a light side, like relief, not a crack. The relief fades out before the layout's rim,
  so nothing ends in a seam.
- G: age spots (0 none .. 255 strong): irregular blotches on forehead, temples and cheeks.
- B: the eyebrows (feathered), which grey with the hair.

Deterministic (seeded); ``tools/make_assets.py`` writes it as ``effects/assets/age_map.png``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

TEX = 384
AA = cv2.LINE_AA


class Layout:
    """Landmark positions in texture pixels."""

    def __init__(self, mesh: dict[str, np.ndarray], size: int = TEX) -> None:
        self.mesh, self.size = mesh, size
        self.uv = mesh["uv"].astype(np.float64) * size

    def p(self, *idx: int) -> np.ndarray:
        return self.uv[list(idx)].mean(0)

    def loop(self, name: str) -> np.ndarray:
        return self.uv[self.mesh[name]]


def _bezier(a: np.ndarray, c: np.ndarray, b: np.ndarray, n: int = 24) -> np.ndarray:
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * c + t ** 2 * b


def _stroke(size: int, pts: np.ndarray, width: float, taper: float = 0.35) -> np.ndarray:
    """A soft line profile (peak 1) along ``pts``, thinning and fading towards both ends."""
    layer = np.zeros((size, size), np.float32)
    n = len(pts) - 1
    for i in range(n):
        s = (i + 0.5) / n
        fade = min(1.0, min(s, 1 - s) / max(taper, 1e-3))
        fade = fade * fade * (3 - 2 * fade)
        a, b = (np.round(p * 16).astype(np.int32) for p in (pts[i], pts[i + 1]))
        cv2.line(layer, tuple(a), tuple(b), float(fade), max(1, round(width * (0.5 + 0.5 * fade))), AA, 4)
    return cv2.GaussianBlur(layer, (0, 0), max(width * 0.6, 0.6))


def _noise(size: int, seed: int, blur: float) -> np.ndarray:
    n = np.random.default_rng(seed).standard_normal((size, size)).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), blur)
    return n / (np.abs(n).max() + 1e-6)


def _wobble(pts: np.ndarray, amount: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = np.diff(pts, axis=0, prepend=pts[:1])
    normal = np.stack([-d[:, 1], d[:, 0]], 1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-9
    phase = rng.uniform(0, 2 * math.pi)
    k = np.linspace(0, 1, len(pts))
    return pts + normal * (amount * np.sin(k * rng.uniform(5, 9) + phase))[:, None]


def height_map(f: Layout) -> np.ndarray:
    """Wrinkles as a height field (negative in grooves, positive where skin bulges over a fold)."""
    s = f.size
    h = np.zeros((s, s), np.float32)
    eye = float(np.linalg.norm(f.p(263) - f.p(33)))          # outer eye corners apart, in texture px
    w = eye / 60.0                                           # line width unit

    def groove(pts: np.ndarray, depth: float, width: float, bulge: float = 0.0,
               side: np.ndarray | None = None) -> None:
        nonlocal h
        h -= depth * _stroke(s, pts, width * w)
        if bulge and side is not None:                       # the skin rolls over on one side
            h += bulge * _stroke(s, pts + side * width * w * 2.2, width * w * 2.6, taper=0.45)

    # Forehead: four long, gently arched lines between the brows and the top of the mesh.
    top, brow = f.p(10)[1], (f.p(105)[1] + f.p(334)[1]) / 2
    left, right = f.p(105)[0] - eye * 0.22, f.p(334)[0] + eye * 0.22
    for k, frac in enumerate((0.3, 0.5, 0.68, 0.85)):
        y = top + (brow - top) * frac
        xs = np.linspace(left + k * 3, right - k * 2, 40)
        arch = -np.sin(np.linspace(0, math.pi, 40)) * eye * 0.03
        pts = _wobble(np.c_[xs, y + arch], eye * 0.012, 10 + k)
        groove(pts, 1.2 - 0.1 * k, 1.5, bulge=0.4, side=np.array([0, 1.0]))
    # Frown lines between the brows.
    for k in (-1, 1):
        c = f.p(9) + (k * eye * 0.09, eye * 0.04)
        groove(np.array([c, c + (k * eye * 0.015, eye * 0.09), c + (k * eye * 0.03, eye * 0.16)]), 0.45, 1.6)
    # Crow's feet: a fan of lines from each outer eye corner.
    for corner, k in ((33, -1), (263, 1)):
        for i, a in enumerate((-28, 0, 26)):
            u = np.array([math.cos(math.radians(a)) * k, math.sin(math.radians(a))])
            c = f.p(corner) + u * eye * 0.07
            d = u * eye * 0.17
            pts = _wobble(_bezier(c, c + d * 0.55 + (0, eye * 0.01), c + d, 12), eye * 0.005, 20 + i + 5 * k)
            groove(pts, 0.7, 1.0)
    # Eye bags: a puffy roll under the lower lid, ending in a groove (the tear trough).
    for name, k in (("right_eye_0", -1), ("left_eye_0", 1)):
        pts = f.loop(name)
        low = pts[pts[:, 1] >= np.median(pts[:, 1])]
        low = low[np.argsort(low[:, 0])]
        a, b = low[0], low[-1]
        mid = (a + b) / 2 + (0, eye * 0.2)
        bag = _bezier(a + (0, eye * 0.05), mid, b + (0, eye * 0.05), 20)
        h += 0.7 * _stroke(s, bag - (0, eye * 0.05), 3.0 * w, taper=0.3)      # the bulge
        groove(_bezier(a + (-k * eye * 0.02, eye * 0.1), mid + (0, eye * 0.08), b + (k * eye * 0.04, eye * 0.1)),
               0.6, 1.5)
    # Nasolabial folds: from the nose wing round the mouth corner; the cheek bulges over them.
    for wing, corner, k in ((129, 61, -1), (358, 291, 1)):
        a, b = f.p(wing) + (k * eye * 0.03, 0), f.p(corner) + (k * eye * 0.07, eye * 0.07)
        mid = (a + b) / 2 + (k * eye * 0.11, 0)
        groove(_bezier(a, mid, b, 28), 1.25, 2.0, bulge=0.9, side=np.array([k * 0.9, -0.45]))
    # Marionette lines: from the mouth corners down towards the jaw.
    for corner, jaw, k in ((61, 172, -1), (291, 397, 1)):
        a = f.p(corner) + (k * eye * 0.04, eye * 0.04)
        b = a + (f.p(jaw) - a) * 0.2 + (0, eye * 0.28)
        groove(_bezier(a, (a + b) / 2 + (k * eye * 0.02, 0), b, 16), 0.8, 1.6, bulge=0.4,
               side=np.array([k * 1.0, 0.0]))
    # Fine lines above the upper lip.
    upper = f.loop("lips_0")
    upper = upper[upper[:, 1] <= np.median(upper[:, 1])]
    for i, x in enumerate(np.linspace(upper[:, 0].min() + eye * 0.08, upper[:, 0].max() - eye * 0.08, 6)):
        y = upper[np.argmin(np.abs(upper[:, 0] - x)), 1]
        groove(np.array([(x, y - eye * 0.01), (x + (i - 2.5) * 0.6, y - eye * 0.1)]), 0.35, 1.0)
    # Crepe: fine criss-cross texture on cheeks and under the eyes.
    crepe = _noise(s, 31, 0.9) * 0.03 + _noise(s, 32, 2.2) * 0.06
    return h * 2.2 + crepe


def rim(f: Layout, px: float) -> np.ndarray:
    """1 well inside the face oval, falling to 0 over ``px`` pixels before its edge."""
    m = np.zeros((f.size, f.size), np.float32)
    cv2.fillPoly(m, [np.round(f.loop("face_oval_0") * 16).astype(np.int32)], 1.0, AA, 4)
    k = int(px) * 2 + 1
    m = cv2.erode(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return cv2.GaussianBlur(m, (0, 0), px / 2)


def shading(h: np.ndarray, gain: float = 0.55, cavity: float = 0.1) -> np.ndarray:
    """Light the height field from above and in front: relative brightness around 1."""
    gy = cv2.Sobel(h, cv2.CV_32F, 0, 1, ksize=3) / 8
    gx = cv2.Sobel(h, cv2.CV_32F, 1, 0, ksize=3) / 8
    light = np.array([0.15, -0.55, 0.82])  # x right, y down (so -y is up), z out of the face
    light /= np.linalg.norm(light)
    n = np.stack([-gx * 1.6, -gy * 1.6, np.ones_like(h)], -1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    lit = (n @ light) / light[2]
    return 1 + (lit - 1) * gain * 4 + np.minimum(h, 0) * cavity


def spots(f: Layout, seed: int = 5) -> np.ndarray:
    """Irregular age spots where sun falls: forehead, temples, upper cheeks."""
    s = f.size
    rng = np.random.default_rng(seed)
    g = np.zeros((s, s), np.float32)
    eye = float(np.linalg.norm(f.p(263) - f.p(33)))
    areas = [(f.p(10, 151), 0.35), (f.p(70), 0.2), (f.p(300), 0.2), (f.p(50), 0.3), (f.p(280), 0.3),
             (f.p(234), 0.18), (f.p(454), 0.18), (f.p(205), 0.18), (f.p(425), 0.18)]
    for centre, spread in areas:
        for _ in range(rng.integers(2, 5)):
            c = centre + rng.normal(0, spread * eye * 0.5, 2)
            r = rng.uniform(0.018, 0.045) * eye
            axes = (max(1, int(r * 16)), max(1, int(r * rng.uniform(0.6, 1.0) * 16)))
            cv2.ellipse(g, tuple(np.round(c * 16).astype(np.int32)), axes, rng.uniform(0, 180), 0, 360,
                        float(rng.uniform(0.5, 1.0)), -1, AA, 4)
    g = cv2.GaussianBlur(g, (0, 0), 1.2)
    g *= 0.75 + 0.5 * (_noise(s, seed + 1, 1.5) * 0.5 + 0.5)  # mottled, not flat discs
    return np.clip(g, 0, 1)


def eyebrows(f: Layout) -> np.ndarray:
    m = np.zeros((f.size, f.size), np.float32)
    eye = float(np.linalg.norm(f.p(263) - f.p(33)))
    for a, b in (("right_eyebrow_0", "right_eyebrow_1"), ("left_eyebrow_0", "left_eyebrow_1")):
        poly = np.concatenate([f.loop(a), f.loop(b)[::-1]])
        centre = poly.mean(0)
        poly = centre + (poly - centre) * (1.25, 1.6)           # the hairs reach past the landmarks
        cv2.fillPoly(m, [np.round(poly * 16).astype(np.int32)], 1.0, AA, 4)
    return cv2.GaussianBlur(m, (0, 0), eye * 0.02)


def age_map(mesh: dict[str, np.ndarray]) -> np.ndarray:
    """The RGB ageing map (R relief shading, G spots, B eyebrows) as uint8."""
    f = Layout(mesh)
    fade = rim(f, f.size * 0.02)
    shade = 1 + (shading(height_map(f)) - 1) * fade
    shade = np.where(shade < 1, 1 - (1 - shade) * 0.75, shade)   # grooves are shadows, not ink
    r = np.clip(128 + (shade - 1) * 128, 0, 255)
    g = spots(f) * fade * 255
    b = eyebrows(f) * 255
    return np.stack([r, g, b], -1).round().astype(np.uint8)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    with np.load(Path(__file__).resolve().parent.parent / "effects" / "assets" / "face_mesh.npz") as data:
        layout = {k: data[k] for k in data.files}
    cv2.imwrite(sys.argv[1] if len(sys.argv) > 1 else "age_map.png", age_map(layout)[..., ::-1])
