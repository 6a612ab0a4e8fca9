# ruff: noqa: RUF005  (numpy array + tuple offsets, not sequence concatenation)
"""3D head stickers rendered at asset-build time: crown, bunny ears, cat ears, top hat.

Each design is a small signed-distance model in head units (1 = the distance between the eyes;
origin at the eye midpoint, x to the image's right, y up, z towards the camera), sitting on a
head-shaped ellipsoid that is not drawn but hides what lies behind the head. It is ray-marched
and shaded (key, fill and rim light, a sky reflection for metal, ambient occlusion from the
distance field) for a grid of head yaws and pitches, so at run time the sticker effect only picks
the nearest view, rolls and scales it: heavy work at build time, a blit per frame.

Used by ``tools/make_assets.py``; the atlas layout is described in ``stickers.json``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

YAWS = tuple(range(-60, 61, 15))       # degrees, positive turns the face to the image's right
PITCHES = (-20, 0, 20)                 # degrees, positive looks up
CELL = (192, 224)                      # width, height of one view in pixels
PX_PER_UNIT = 30.0                     # sprite pixels per eye distance
ANCHOR = (CELL[0] / 2, CELL[1] * 0.86)  # where the eye midpoint falls in an unrotated view
CAMERA = 9.0                           # camera distance in eye distances (a selfie at arm's length)
# The cranium: centre and radii of the ellipsoid the stickers sit on.
HEAD_C = np.array([0.0, 0.3, -1.35])
HEAD_R = np.array([1.2, 1.5, 1.5])

Vec = np.ndarray
SDF = Callable[[Vec], tuple[Vec, Vec]]   # points (n, 3) -> (distance, material id)


# ---- distance functions ------------------------------------------------------------------------
def _len(p: Vec) -> Vec:
    return np.sqrt((p * p).sum(-1))


def ellipsoid(p: Vec, r: Vec) -> Vec:
    k0 = _len(p / r)
    k1 = _len(p / (r * r))
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def capsule(p: Vec, a: Vec, b: Vec, r: float | Vec) -> Vec:
    pa, ba = p - a, b - a
    h = np.clip((pa @ ba) / (ba @ ba), 0, 1)
    return _len(pa - h[:, None] * ba) - r


def cylinder_y(p: Vec, r: float, h: float) -> Vec:
    """Capped cylinder around the y axis, centred at the origin, half-height ``h``."""
    d = np.stack([np.hypot(p[:, 0], p[:, 2]) - r, np.abs(p[:, 1]) - h], -1)
    return np.minimum(np.maximum(d[:, 0], d[:, 1]), 0) + _len(np.maximum(d, 0))


def torus_y(p: Vec, big: float, small: float) -> Vec:
    q = np.stack([np.hypot(p[:, 0], p[:, 2]) - big, p[:, 1]], -1)
    return _len(q) - small


def rot_x(deg: float) -> Vec:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(deg: float) -> Vec:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_z(deg: float) -> Vec:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def _union(parts: list[tuple[Vec, int]]) -> tuple[Vec, Vec]:
    d = np.stack([x for x, _ in parts])
    k = d.argmin(0)
    return d[k, np.arange(d.shape[1])], np.array([m for _, m in parts])[k]


@dataclass(frozen=True)
class Material:
    colour: tuple[float, float, float]   # linear-ish RGB 0..1
    spec: float = 0.3                     # specular strength
    shine: float = 24.0                   # specular exponent
    metal: float = 0.0                    # how much the sky reflection tints (gold, chrome)
    fur: float = 0.0                      # strength of a fine fur/grain texture


# ---- designs -------------------------------------------------------------------------------------
GOLD, RUBY, SAPPHIRE, EMERALD, PEARL = 1, 2, 3, 4, 5
CROWN_MATERIALS = {GOLD: Material((1.0, 0.72, 0.25), 0.9, 40, 0.8), RUBY: Material((0.8, 0.05, 0.12), 1.0, 80),
                   SAPPHIRE: Material((0.08, 0.2, 0.85), 1.0, 80), EMERALD: Material((0.05, 0.6, 0.25), 1.0, 80),
                   PEARL: Material((0.95, 0.93, 0.88), 0.6, 30)}


def crown(p: Vec) -> tuple[Vec, Vec]:
    q = (p - (HEAD_C + (0, 1.25, 0.05))) @ rot_x(-12)     # tilted back a little, like a crown worn
    band = np.maximum(cylinder_y(q - (0, 0.2, 0), 1.02, 0.24), -(np.hypot(q[:, 0], q[:, 2]) - 0.94))
    rim = np.minimum(torus_y(q - (0, -0.04, 0), 1.0, 0.06), torus_y(q - (0, 0.44, 0), 1.0, 0.05))
    parts = [(np.minimum(band, rim), GOLD)]
    spikes, pearls = [], []
    for k in range(8):
        a = math.radians(k * 45)
        base = np.array([math.sin(a) * 0.98, 0.42, math.cos(a) * 0.98])
        tip = base * (1.06, 1, 1.06) + (0, 0.5, 0)
        spikes.append(capsule(q, base, tip, np.clip(0.16 - 0.22 * (q[:, 1] - 0.42), 0.03, 0.16)))
        pearls.append(_len(q - tip - (0, 0.06, 0)) - 0.09)
    parts += [(np.min(spikes, 0), GOLD), (np.min(pearls, 0), PEARL)]
    for k, mat in zip((-1, 0, 1), (SAPPHIRE, RUBY, EMERALD), strict=True):
        a = math.radians(k * 32)
        c = np.array([math.sin(a) * 1.05, 0.2, math.cos(a) * 1.05])
        parts.append((ellipsoid(q - c, np.array([0.13, 0.13, 0.08]) @ np.abs(rot_y(k * 32))), mat))
    return _union(parts)


FUR_WHITE, FUR_PINK, BAND = 1, 2, 3
BUNNY_MATERIALS = {FUR_WHITE: Material((0.96, 0.95, 0.97), 0.08, 8, fur=0.25),
                   FUR_PINK: Material((1.0, 0.62, 0.7), 0.15, 10, fur=0.1),
                   BAND: Material((0.95, 0.45, 0.65), 0.5, 30)}


def _headband(p: Vec) -> Vec:
    """A band hugging the cranium over the top, ending at the temples (where hair would hide the rest)."""
    q = (p - HEAD_C) @ rot_x(-18)
    shell = np.abs(ellipsoid(q, HEAD_R + 0.06)) - 0.05
    return np.maximum(np.maximum(shell, np.abs(q[:, 2]) - 0.16), 0.55 - q[:, 1])


def bunny(p: Vec) -> tuple[Vec, Vec]:
    parts = [(_headband(p), BAND)]
    for side in (-1, 1):
        base = HEAD_C + (side * 0.55, 1.32, 0.05)
        r = rot_z(-side * 14) @ rot_x(-8)
        q = (p - base) @ r
        outer = ellipsoid(q - (0, 1.25, 0), np.array([0.42, 1.35, 0.18]))
        bend = q - (0, 1.25, 0.12)
        inner = ellipsoid(bend, np.array([0.24, 1.05, 0.1]))
        parts += [(np.maximum(outer, -inner + 0.02), FUR_WHITE), (np.maximum(inner, outer - 0.0), FUR_PINK)]
    return _union(parts)


FUR_GINGER, EAR_PINK = 1, 2
CAT_MATERIALS = {FUR_GINGER: Material((0.92, 0.52, 0.2), 0.08, 8, fur=0.3),
                 EAR_PINK: Material((1.0, 0.65, 0.7), 0.15, 10, fur=0.05), BAND: Material((0.2, 0.2, 0.24), 0.6, 30)}


def _cone_ear(q: Vec, height: float, radius: float) -> Vec:
    """A rounded pyramid-ish ear pointing up +y from the origin, flattened in z."""
    t = np.clip(q[:, 1] / height, 0, 1)
    r = radius * (1 - t) + 0.05
    d = _len(np.stack([q[:, 0] / r, q[:, 2] / (r * 0.45)], -1)) - 1
    return np.maximum(d * r * 0.45, np.maximum(-q[:, 1], q[:, 1] - height))


def cat(p: Vec) -> tuple[Vec, Vec]:
    parts = [(_headband(p), BAND)]
    for side in (-1, 1):
        base = HEAD_C + (side * 0.72, 1.2, 0.0)
        q = (p - base) @ (rot_z(-side * 20) @ rot_x(-5))
        outer = _cone_ear(q, 1.3, 0.66)
        inner = _cone_ear(q - (0, 0.12, 0.1), 1.0, 0.44)
        parts += [(np.maximum(outer, -inner), FUR_GINGER), (np.maximum(inner, outer), EAR_PINK)]
    return _union(parts)


FELT, RIBBON = 1, 2
HAT_MATERIALS = {FELT: Material((0.07, 0.07, 0.09), 0.5, 18), RIBBON: Material((0.75, 0.06, 0.12), 0.7, 40)}


def tophat(p: Vec) -> tuple[Vec, Vec]:
    q = (p - (HEAD_C + (0, 1.3, 0.1))) @ rot_x(-10)
    crown_ = cylinder_y(q - (0, 0.95, 0), 0.95, 0.95) - 0.03
    brim = np.minimum(torus_y(q, 1.4, 0.06), cylinder_y(q, 1.45, 0.025) - 0.02)
    ribbon = cylinder_y(q - (0, 0.28, 0), 0.99, 0.17)
    return _union([(np.minimum(crown_, brim), FELT), (ribbon, RIBBON)])


@dataclass(frozen=True)
class Design:
    sdf: SDF
    materials: dict[int, Material]


DESIGNS = {"bunny": Design(bunny, BUNNY_MATERIALS), "cat": Design(cat, CAT_MATERIALS),
           "crown": Design(crown, CROWN_MATERIALS), "tophat": Design(tophat, HAT_MATERIALS)}


# ---- rendering -----------------------------------------------------------------------------------
def _head(p: Vec) -> Vec:
    return ellipsoid(p - HEAD_C, HEAD_R)


def _normal(f: Callable[[Vec], Vec], p: Vec, e: float = 2e-3) -> Vec:
    n = np.stack([f(p + d) - f(p - d) for d in np.eye(3) * e], -1)
    return n / np.maximum(_len(n), 1e-9)[:, None]


def _fur(p: Vec) -> Vec:
    """Fine strands: high-frequency stripes along the ear, in -1..1."""
    return np.sin(p[:, 0] * 90 + np.sin(p[:, 1] * 13) * 3) * np.sin(p[:, 2] * 70 + p[:, 1] * 9)


def render_view(design: Design, yaw: float, pitch: float, size: tuple[int, int] = CELL,
                supersample: int = 2) -> np.ndarray:
    """One RGBA view of the design on an invisible head turned by ``yaw`` and ``pitch`` degrees."""
    nw, nh = size[0] * supersample, size[1] * supersample
    rot = rot_y(yaw) @ rot_x(-pitch)          # object -> camera
    ax, ay = ANCHOR
    f = PX_PER_UNIT * CAMERA * supersample
    ys, xs = np.mgrid[0:nh, 0:nw].astype(np.float64) + 0.5
    # Camera at (0, 0, CAMERA) looking down -z; the eye midpoint projects to ANCHOR.
    dirs = np.stack([(xs - ax * supersample) / f, -(ys - ay * supersample) / f, -np.ones_like(xs)], -1).reshape(-1, 3)
    dirs /= _len(dirs)[:, None]
    origin = np.array([0.0, 0.0, CAMERA])
    o_obj, d_obj = origin @ rot, dirs @ rot    # rays in object space (rot is orthonormal: inverse = transpose)

    def scene(p: Vec) -> tuple[Vec, Vec, Vec]:
        d, m = design.sdf(p)
        return d, m, _head(p)

    t = np.full(len(d_obj), CAMERA - 4.0)
    hit = np.zeros(len(t), bool)
    blocked = np.zeros(len(t), bool)
    mat = np.zeros(len(t), int)
    alive = np.ones(len(t), bool)
    for _ in range(160):
        idx = np.nonzero(alive)[0]
        if not len(idx):
            break
        p = o_obj + t[idx, None] * d_obj[idx]
        d, m, h = scene(p)
        step = np.minimum(d, h)
        done_s = d < 1e-3
        done_h = (h < 1e-3) & ~done_s
        hit[idx[done_s]], mat[idx[done_s]] = True, m[done_s]
        blocked[idx[done_h]] = True
        t[idx] += np.maximum(step, 1e-3) * 0.9
        alive[idx[done_s | done_h | (t[idx] > CAMERA + 4.0)]] = False
    rgba = np.zeros((len(t), 4))
    idx = np.nonzero(hit)[0]
    if len(idx):
        p = o_obj + t[idx, None] * d_obj[idx]
        nrm = _normal(lambda q: design.sdf(q)[0], p)
        view = -d_obj[idx]
        # Lights in camera space (key from the upper left front, fill from the right, rim from behind).
        lights = [(np.array([-0.5, 0.7, 0.6]), 1.0), (np.array([0.7, 0.1, 0.5]), 0.35),
                  (np.array([0.2, 0.4, -0.9]), 0.5)]
        ao = np.ones(len(idx))
        for k in range(1, 5):       # ambient occlusion from the distance field
            step = 0.06 * k
            q = p + nrm * step
            ao -= np.clip(step - np.minimum(design.sdf(q)[0], _head(q)), 0, None) * (0.5 ** k) * 4
        ao = np.clip(ao, 0.25, 1)
        colour = np.zeros((len(idx), 3))
        for mid, material in design.materials.items():
            sel = mat[idx] == mid
            if not sel.any():
                continue
            base = np.array(material.colour)
            albedo = np.tile(base, (sel.sum(), 1))
            if material.fur:
                albedo *= (1 + material.fur * _fur(p[sel]))[:, None]
            nn, vv = nrm[sel], view[sel]
            c = albedo * (0.28 * (0.6 + 0.4 * nn[:, 1:2]))          # sky-tinted ambient
            for light, power in lights:
                ld = (light / np.linalg.norm(light)) @ rot           # light fixed to the camera
                diff = np.clip(nn @ ld, 0, None)[:, None]
                half = (ld + vv) / _len(ld + vv)[:, None]
                spec = np.clip((nn * half).sum(-1), 0, None)[:, None] ** material.shine
                tint = base * material.metal + (1 - material.metal)
                c += power * (albedo * diff * (1 - material.metal * 0.5) + material.spec * spec * tint)
            if material.metal:
                refl = vv - 2 * (nn * vv).sum(-1, keepdims=True) * nn
                sky = np.clip(-(refl @ rot.T)[:, 1:2], -1, 1)        # reflected ray's up component (camera space)
                env = 0.55 + 0.45 * np.tanh(3 * sky)
                c += material.metal * base * env * 0.6
            colour[sel] = c * ao[sel, None]
        rgba[idx, :3] = colour
        rgba[idx, 3] = 1.0
    img = rgba.reshape(nh, nw, 4)
    img[..., :3] = np.clip(img[..., :3], 0, 1) ** (1 / 1.15)   # a touch of gamma for the display
    # Colour is zero where nothing was hit, so the shrunk image is premultiplied: divide to store it straight.
    img = cv2.resize(img.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    a = np.clip(img[..., 3:4], 1e-6, 1)
    img[..., :3] = np.where(img[..., 3:4] > 0, img[..., :3] / a, 0)
    return np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)


def atlas(name: str) -> np.ndarray:
    """All views of one design in a grid: rows are PITCHES, columns YAWS (RGBA)."""
    design = DESIGNS[name]
    rows = [np.hstack([render_view(design, y, p) for y in YAWS]) for p in PITCHES]
    return np.vstack(rows)


def spec() -> dict:
    """What the effect needs to read the atlases."""
    return {"yaws": list(YAWS), "pitches": list(PITCHES), "cell": list(CELL), "px_per_unit": PX_PER_UNIT,
            "anchor": list(ANCHOR), "designs": sorted(DESIGNS)}
