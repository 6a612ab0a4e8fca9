# ruff: noqa: RUF005  (numpy array + tuple offsets, not sequence concatenation)
"""Render the kaiju's sprite sheet at asset-build time: a signed-distance-field creature, ray-marched in numpy.

The monster is modelled as a smooth union of ellipsoids, tapered capsules and leaf-shaped dorsal plates;
its skin is bump-mapped with cellular and value noise evaluated in the rest pose, so the texture sticks
to the body while it breathes, sways and roars. Each frame is lit by a low sun with soft shadows, sky
fill, ambient occlusion and a rim light, supersampled 2x, and written into one sheet::

    python tools/kaiju_render.py OUTDIR [--scale 0.5] [--frames 3]   # a quick look

``tools/make_assets.py`` calls :func:`build` for the shipped sheet (a few minutes on one core).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

F = np.float32

# --------------------------------------------------------------------------------------------- noise


def _hash3(cells: np.ndarray, seed: float = 0.0) -> np.ndarray:
    """Three pseudo-random numbers in 0..1 per integer lattice cell (n, 3) -> (n, 3)."""
    c = cells.astype(np.float64)
    out = np.empty(c.shape, np.float64)
    for k, v in enumerate(((127.1, 311.7, 74.7), (269.5, 183.3, 246.1), (113.5, 271.9, 124.6))):
        s = np.sin(c @ np.array(v) + seed * 17.13 + k) * 43758.5453
        out[:, k] = s - np.floor(s)
    return out.astype(F)


def value_noise(p: np.ndarray, seed: float = 0.0) -> np.ndarray:
    """Smooth value noise in -1..1 at points (n, 3)."""
    i = np.floor(p)
    f = p - i
    u = f * f * (3 - 2 * f)
    out = np.zeros(len(p), F)
    for dx in (0, 1):
        for dy in (0, 1):
            for dz in (0, 1):
                h = _hash3(i + (dx, dy, dz), seed)[:, 0]
                w = ((u[:, 0] if dx else 1 - u[:, 0]) * (u[:, 1] if dy else 1 - u[:, 1])
                     * (u[:, 2] if dz else 1 - u[:, 2]))
                out += w * h
    return out * 2 - 1


def fbm(p: np.ndarray, octaves: int = 4, seed: float = 0.0) -> np.ndarray:
    total, amp, freq, norm = np.zeros(len(p), F), 1.0, 1.0, 0.0
    for o in range(octaves):
        total += amp * value_noise(p * freq, seed + o)
        norm += amp
        amp *= 0.5
        freq *= 2.03
    return total / norm


def cells(p: np.ndarray, seed: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Cellular (Worley) noise: distances to the nearest and second-nearest feature points."""
    i = np.floor(p)
    f1 = np.full(len(p), 9.0, F)
    f2 = np.full(len(p), 9.0, F)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dz in (-1, 0, 1):
                c = i + (dx, dy, dz)
                d = np.linalg.norm(c + _hash3(c, seed) - p, axis=1)
                f2 = np.where(d < f1, f1, np.minimum(f2, d))
                f1 = np.minimum(f1, d)
    return f1, f2


# ------------------------------------------------------------------------------------------ geometry


def smin(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Polynomial smooth minimum: a soft union blending over about ``k``."""
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0, 1)
    return b + (a - b) * h - k * h * (1 - h)


def ellipsoid(p: np.ndarray, c: tuple[float, ...], r: tuple[float, ...]) -> np.ndarray:
    q = (p - np.asarray(c, F)) / np.asarray(r, F)
    k0 = np.linalg.norm(q, axis=1)
    k1 = np.linalg.norm(q / np.asarray(r, F), axis=1)
    return k0 * (k0 - 1) / np.maximum(k1, 1e-6)


def cone(p: np.ndarray, a: tuple[float, ...], b: tuple[float, ...], ra: float, rb: float) -> np.ndarray:
    """A capsule whose radius goes from ``ra`` at ``a`` to ``rb`` at ``b`` (a good-enough bound)."""
    a_, b_ = np.asarray(a, F), np.asarray(b, F)
    pa, ba = p - a_, b_ - a_
    h = np.clip(pa @ ba / (ba @ ba), 0, 1)
    return np.linalg.norm(pa - h[:, None] * ba, axis=1) - (ra + (rb - ra) * h)


def rot_y(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]], F)


def rot_z(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], F)


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0, 1)
    return t * t * (3 - 2 * t)


@dataclass(frozen=True)
class Pose:
    """One frame's pose: breathing (-1..1), head pitch/yaw (radians, + raises / turns towards us),
    jaw opening (radians), tail sway (radians at the tip) and arm swing."""

    breath: float = 0.0
    pitch: float = 0.0
    yaw: float = 0.0
    jaw: float = 0.0
    tail: float = 0.0
    arms: float = 0.0


# Rest-pose landmarks (units: the monster is about 10 tall, facing -x, feet on y = 0).
NECK_PIVOT = np.array([-0.2, 6.4, 0.0], F)
JAW_HINGE = np.array([-1.05, 7.55, 0.0], F)
UPPER_TIP = np.array([-2.45, 7.62, 0.0], F)   # front of the upper jaw's lip line
LOWER_TIP = np.array([-2.25, 7.52, 0.0], F)   # front of the lower jaw's lip line (rest)
THROAT = np.array([-1.55, 7.62, 0.0], F)
TAIL_PIVOT = np.array([1.0, 2.6, 0.0], F)
CHEST = np.array([-0.4, 5.0, 0.0], F)

MATERIALS = ("skin", "plate", "eye", "mouth", "teeth", "claw")
SKIN, PLATE, EYE, MOUTH, TEETH, CLAW = range(6)

# Dorsal plates: (position along the spine 0 tail tip .. 1 head, height, row offset in z).
PLATES = [(u, h, 0.0) for u, h in ((0.19, 0.35), (0.26, 0.5), (0.33, 0.7), (0.40, 0.95), (0.47, 1.35),
                                   (0.54, 1.7), (0.61, 1.95), (0.68, 1.9), (0.75, 1.6), (0.82, 1.2), (0.88, 0.8),
                                   (0.93, 0.5))] + \
    [(u, h, z) for u, h in ((0.365, 0.5), (0.435, 0.75), (0.505, 1.05), (0.575, 1.3), (0.645, 1.35), (0.715, 1.2),
                            (0.785, 0.95), (0.85, 0.65), (0.905, 0.45)) for z in (-0.38, 0.38)]


def spine(u: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """The back line in rest pose: u 0 at the tail tip, 1 at the back of the head; (points, unit tangents)."""
    keys = np.array([[7.6, 0.45, 0.0], [5.6, 0.9, 0.0], [3.6, 1.9, 0.0], [2.0, 3.3, 0.0], [1.35, 4.8, 0.0],
                     [1.1, 6.0, 0.0], [0.55, 7.1, 0.0], [-0.5, 8.25, 0.0]], F)
    u = np.atleast_1d(np.asarray(u, F)) * (len(keys) - 1)
    i = np.clip(np.floor(u).astype(int), 0, len(keys) - 2)
    f = (u - i)[:, None]
    # Catmull-Rom through the keys.
    p0, p1, p2, p3 = (keys[np.clip(i + k, 0, len(keys) - 1)] for k in (-1, 0, 1, 2))
    pts = 0.5 * ((2 * p1) + (-p0 + p2) * f + (2 * p0 - 5 * p1 + 4 * p2 - p3) * f ** 2
                 + (-p0 + 3 * p1 - 3 * p2 + p3) * f ** 3)
    tan = 0.5 * ((-p0 + p2) + 2 * (2 * p0 - 5 * p1 + 4 * p2 - p3) * f + 3 * (-p0 + 3 * p1 - 3 * p2 + p3) * f ** 2)
    return pts, tan / np.linalg.norm(tan, axis=1, keepdims=True)


def _plate_frames() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    """(base point, up, along, height) per plate, on the spine, pushed slightly into the back."""
    out = []
    for u, height, z in PLATES:
        p, t = spine(u)
        p, t = p[0], t[0]
        up = np.array([-t[1], t[0], 0.0], F)  # the spine's normal pointing away from the body
        if up[0] < 0 and up[1] < 0.2:
            up = -up
        base = p - up * 0.35 + np.array([0, 0, z], F)
        out.append((base.astype(F), up.astype(F), t.astype(F), float(height)))
    return out


PLATE_FRAMES = _plate_frames()


def rig(p: np.ndarray, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """World points of the posed monster -> rest-pose points; also the head weight per point."""
    q = p.copy()
    # Tail sway: rotate about the vertical through the tail root, more towards the tip.
    along = smoothstep(1.0, 7.5, q[:, 0])
    if pose.tail:
        ang = -pose.tail * along ** 1.5
        c, s = np.cos(ang), np.sin(ang)
        dx, dz = q[:, 0] - TAIL_PIVOT[0], q[:, 2] - TAIL_PIVOT[2]
        q[:, 0] = TAIL_PIVOT[0] + c * dx + s * dz
        q[:, 2] = TAIL_PIVOT[2] - s * dx + c * dz
    # Head and neck: rotate about the neck pivot, fully above/in front of it.
    rel = q - NECK_PIVOT
    w = smoothstep(-0.6, 0.9, rel[:, 1] - 0.45 * rel[:, 0]) * smoothstep(2.2, 0.8, rel[:, 0])
    if pose.pitch or pose.yaw:
        turned = rel @ (rot_z(-pose.pitch) @ rot_y(pose.yaw)) + NECK_PIVOT  # rows times R = R^T per point
        q = q + (turned - q) * w[:, None]
    # Breathing: the chest swells and rises a little.
    if pose.breath:
        d = q - CHEST
        fall = np.exp(-np.sum((d / (2.2, 2.4, 2.0)) ** 2, axis=1))
        q = CHEST + d / (1 + 0.035 * pose.breath * fall)[:, None] - np.array([0, 0.05, 0], F) * (
            pose.breath * fall)[:, None]
    return q.astype(F), w


def _plates(q: np.ndarray) -> np.ndarray:
    d = np.full(len(q), 9.0, F)
    for base, up, along, h in PLATE_FRAMES:
        rel = q - base
        v = rel @ up
        u = rel @ along
        w = rel[:, 2]
        # A pointed leaf in the (u, v) plane: the intersection of two offset circles, with a ragged rim.
        r = h * 0.8
        off = r - h * 0.36
        du = np.abs(u)
        leaf = np.hypot(du + off, v - h * 0.45) - r
        leaf = np.maximum(leaf, -v)                       # flat bottom (buried in the back)
        ang = np.arctan2(v - h * 0.3, u)
        leaf += 0.07 * h * (np.abs(np.sin(ang * 4.5 + h * 3)) - 0.3)   # maple-like lobes
        thick = 0.18 * h * (1 - np.clip(v / (h * 1.05), 0, 1)) ** 1.5 + 0.02
        d = np.minimum(d, np.maximum(leaf, np.abs(w) - thick) * 0.8)
    return d


def sdf(p: np.ndarray, pose: Pose, with_material: bool = False):
    """Signed distance of the posed monster at world points (n, 3); optionally material ids and rest points."""
    q, _ = rig(p, pose)
    x, y, z = q[:, 0], q[:, 1], q[:, 2]
    az = np.abs(z)
    sym = np.stack([x, y, az], 1)  # mirror the paired limbs
    # Torso, hips, belly.
    body = ellipsoid(q, (0.35, 4.3, 0.0), (1.75, 2.45, 1.55))
    body = smin(body, ellipsoid(q, (0.2, 2.9, 0.0), (1.85, 1.5, 1.7)), 0.6)
    body = smin(body, ellipsoid(q, (-0.35, 5.7, 0.0), (1.25, 1.3, 1.2)), 0.6)
    # Neck and head (the head region is already rotated by the rig).
    body = smin(body, cone(q, (0.0, 6.0, 0.0), (-0.75, 7.55, 0.0), 1.0, 0.62), 0.55)
    skull = ellipsoid(q, (-1.0, 7.87, 0.0), (1.02, 0.66, 0.68))
    snout = cone(q, (-1.15, 7.8, 0.0), (-2.45, 7.72, 0.0), 0.46, 0.27)
    brow = ellipsoid(sym, (-1.4, 8.14, 0.33), (0.5, 0.17, 0.22))
    upper = smin(smin(skull, snout, 0.3), brow, 0.15)
    # Lower jaw, rotated about the hinge.
    jaw_q = (q - JAW_HINGE) @ rot_z(pose.jaw) + JAW_HINGE if pose.jaw else q  # rest point = R(-jaw) q
    jaw = cone(jaw_q, (-1.1, 7.38, 0.0), (-2.3, 7.42, 0.0), 0.42, 0.22)
    jaw = smin(jaw, ellipsoid(jaw_q, (-1.05, 7.2, 0.0), (0.6, 0.35, 0.52)), 0.25)
    # Keep the mouth a mouth: carve the jaws' meeting faces flat so they close on a line.
    upper = np.maximum(upper, -(y - 7.57) - 0.0 + np.where(x < -1.2, 0.0, 9.0))
    jaw = np.maximum(jaw, (jaw_q[:, 1] - 7.55) + np.where(jaw_q[:, 0] < -1.2, 0.0, -9.0))
    head = smin(upper, jaw, 0.06 if pose.jaw < 0.05 else 0.02)
    # Inside of the mouth (visible when it opens): a dark throat between the jaws.
    throat = ellipsoid(q, (-1.45, 7.5, 0.0), (0.75, 0.3, 0.33))
    head = np.minimum(head, throat + 0.02)
    body = smin(body, head, 0.35)
    # Nostrils and eye sockets carved softly.
    nostril = ellipsoid(sym, (-2.38, 7.93, 0.14), (0.07, 0.05, 0.06))
    body = -smin(-body, nostril, 0.04)
    # Arms: short and strong, forward and down.
    sw = pose.arms
    sh, el, ha = (-0.55, 5.6, 1.05), (-1.25, 4.85 + 0.1 * sw, 1.35), (-1.95, 5.1 + 0.15 * sw, 1.1)
    arm = smin(cone(sym, sh, el, 0.5, 0.36), cone(sym, el, ha, 0.36, 0.26), 0.2)
    claws = cone(sym, ha, (-2.35, 4.85 + 0.15 * sw, 1.05), 0.12, 0.02)
    claws = np.minimum(claws, cone(sym, ha, (-2.3, 4.95 + 0.15 * sw, 1.25), 0.11, 0.02))
    body = smin(body, arm, 0.35)
    # Legs: heavy thighs, thick shins, broad feet.
    thigh = cone(sym, (0.25, 3.0, 0.95), (-0.35, 1.55, 1.25), 1.05, 0.8)
    shin = cone(sym, (-0.35, 1.55, 1.25), (0.05, 0.42, 1.3), 0.78, 0.62)
    foot = ellipsoid(sym, (-0.35, 0.3, 1.32), (0.95, 0.33, 0.65))
    leg = smin(smin(thigh, shin, 0.3), foot, 0.3)
    toes = np.minimum(cone(sym, (-0.9, 0.25, 1.1), (-1.4, 0.08, 1.0), 0.15, 0.03),
                      cone(sym, (-0.95, 0.25, 1.5), (-1.45, 0.08, 1.6), 0.15, 0.03))
    body = smin(body, leg, 0.5)
    # Tail: a long tapering sweep along the spine, low behind.
    tail = cone(q, (1.2, 3.2, 0.0), (2.9, 1.75, 0.0), 1.25, 0.95)
    tail = smin(tail, cone(q, (2.9, 1.75, 0.0), (5.0, 0.85, 0.0), 0.95, 0.55), 0.3)
    tail = smin(tail, cone(q, (5.0, 0.85, 0.0), (7.7, 0.45, 0.0), 0.55, 0.1), 0.3)
    body = smin(body, tail, 0.6)
    eyes = ellipsoid(sym, (-1.55, 7.99, 0.42), (0.13, 0.09, 0.08))
    teeth_row = cone(sym, (-1.35, 7.56, 0.3), (-2.35, 7.6, 0.17), 0.06, 0.05)
    teeth_low = cone(np.stack([jaw_q[:, 0], jaw_q[:, 1], np.abs(jaw_q[:, 2])], 1),
                     (-1.35, 7.52, 0.28), (-2.2, 7.5, 0.15), 0.055, 0.045)
    saw = 0.06 * np.abs(np.sin(x * 26.0))
    teeth = np.minimum(teeth_row + saw, teeth_low + saw)
    plates = _plates(q)
    d = np.minimum.reduce([body, plates, eyes, claws, toes * 1.0, teeth])
    if not with_material:
        return d
    mat = np.full(len(d), SKIN, np.uint8)
    mat[plates <= d + 1e-3] = PLATE
    mat[np.minimum(claws, toes) <= d + 1e-3] = CLAW
    mat[eyes <= d + 1e-3] = EYE
    mat[teeth <= d + 1e-3] = TEETH
    in_mouth = (throat <= body + 0.03) | ((y < 7.62) & (y > 7.35) & (x < -1.0) & (pose.jaw > 0.05)
                                          & (az < 0.36))
    mat[(mat == SKIN) & in_mouth] = MOUTH
    return d, mat, q


# -------------------------------------------------------------------------------------------- camera


@dataclass(frozen=True)
class Camera:
    """A pinhole camera below the monster's hips looking up at it, three-quarter from the front.

    ``focal`` and the principal point (``cx``, ``cy``) are in pixels; :func:`framed` fits them to the monster.
    """

    eye: tuple[float, float, float] = (-8.0, 0.9, 19.0)
    target: tuple[float, float, float] = (0.6, 5.4, 0.0)
    focal: float = 1300.0
    width: int = 560
    height: int = 640
    cx: float = 280.0
    cy: float = 320.0

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        e, t = np.asarray(self.eye, F), np.asarray(self.target, F)
        fwd = (t - e) / np.linalg.norm(t - e)
        right = np.cross(fwd, [0, 1, 0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        return fwd.astype(F), right.astype(F), up.astype(F)

    def scaled(self, k: float) -> Camera:
        """The same view with k times the pixels."""
        return Camera(self.eye, self.target, self.focal * k, round(self.width * k), round(self.height * k),
                      (self.cx + 0.5) * k - 0.5, (self.cy + 0.5) * k - 0.5)

    def rays(self) -> tuple[np.ndarray, np.ndarray]:
        fwd, right, up = self.basis()
        ys, xs = np.mgrid[0:self.height, 0:self.width].astype(F)
        d = (fwd[None, None] * self.focal + right[None, None] * (xs[..., None] - self.cx)
             - up[None, None] * (ys[..., None] - self.cy))
        d /= np.linalg.norm(d, axis=2, keepdims=True)
        return np.broadcast_to(np.asarray(self.eye, F), d.shape).reshape(-1, 3), d.reshape(-1, 3).astype(F)

    def normalised(self, p: np.ndarray) -> np.ndarray:
        """World points (n, 3) -> image-plane coordinates at focal length 1 (y down)."""
        fwd, right, up = self.basis()
        rel = np.atleast_2d(p) - np.asarray(self.eye, F)
        z = rel @ fwd
        return np.stack([rel @ right / z, -(rel @ up) / z], 1)

    def project(self, p: np.ndarray) -> np.ndarray:
        """World points (n, 3) -> pixel coordinates (n, 2)."""
        return self.normalised(p) * self.focal + (self.cx, self.cy)


def framed(height: int, fit: list[Pose], above: float = -1.0, margin: float = 0.04) -> Camera:
    """The default view with focal length and principal point chosen so every pose in ``fit`` just fits
    (the parts of it higher than ``above``: the legs and tail may run out of the picture)."""
    wide = Camera(focal=150.0, width=320, height=320, cx=159.5, cy=159.5)
    o, d = wide.rays()
    pts = []
    for pose in fit:
        t0, t1 = box_hits(o, d, np.array([-3.6, -0.3, -3.0], F), np.array([8.6, 10.4, 3.2], F))
        t, hit = march(o, d, pose, t0, t1)
        p = o[hit] + d[hit] * t[hit, None]
        pts.append(p[p[:, 1] > above])
    n = wide.normalised(np.concatenate(pts))
    (x0, y0), (x1, y1) = n.min(0), n.max(0)
    pad = (y1 - y0) * margin / (1 - 2 * margin)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    focal = height / (y1 - y0)
    width = math.ceil((x1 - x0) * focal)
    return Camera(focal=focal, width=width, height=height, cx=-x0 * focal - 0.5, cy=-y0 * focal - 0.5)


def mouth_point(pose: Pose) -> np.ndarray:
    """Where the beam leaves: between the jaw tips, a little inside the mouth."""
    lower = (rot_z(pose.jaw) @ (LOWER_TIP - JAW_HINGE) + JAW_HINGE).astype(F)  # the jaw opens downwards
    front = (UPPER_TIP + lower) / 2
    return posed_point(front + (THROAT - front) * 0.15, pose)


def posed_point(p: np.ndarray, pose: Pose) -> np.ndarray:
    """A rest-pose point of the head moved by the pose (the forward rig for head points)."""
    rel = p - NECK_PIVOT
    return (rot_z(-pose.pitch) @ rot_y(pose.yaw)) @ rel + NECK_PIVOT if (pose.pitch or pose.yaw) else p.copy()


# ------------------------------------------------------------------------------------------- shading

SUN = np.array([-0.55, 0.62, 0.56], F) / np.linalg.norm([-0.55, 0.62, 0.56])
SUN_RGB = np.array([1.0, 0.93, 0.82], F) * 2.1
SKY_RGB = np.array([0.45, 0.52, 0.62], F) * 0.75
GROUND_RGB = np.array([0.30, 0.27, 0.23], F) * 0.6
RIM_RGB = np.array([0.7, 0.8, 1.0], F) * 0.9


def march(o: np.ndarray, d: np.ndarray, pose: Pose, t0: np.ndarray, t1: np.ndarray,
          steps: int = 140) -> tuple[np.ndarray, np.ndarray]:
    """Sphere-trace rays from t0 to t1; returns (t at hit, hit mask)."""
    t = t0.copy()
    hit = np.zeros(len(t), bool)
    live = np.nonzero(t0 < t1)[0]
    for _ in range(steps):
        if not len(live):
            break
        dist = sdf(o[live] + d[live] * t[live, None], pose)
        t[live] += dist * 0.7
        done_hit = dist < 0.0015 * t[live]
        hit[live[done_hit]] = True
        live = live[~done_hit & (t[live] < t1[live])]
    return t, hit


def box_hits(o: np.ndarray, d: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inv = 1.0 / np.where(np.abs(d) < 1e-9, 1e-9, d)
    a, b = (lo - o) * inv, (hi - o) * inv
    t0 = np.maximum(np.minimum(a, b).max(1), 0)
    t1 = np.maximum(a, b).min(1)
    return t0.astype(F), t1.astype(F)


def normals(p: np.ndarray, pose: Pose, e: float = 0.004) -> np.ndarray:
    k = np.array([[1, -1, -1], [-1, -1, 1], [-1, 1, -1], [1, 1, 1]], F)
    n = sum(k[i] * sdf(p + k[i] * e, pose)[:, None] for i in range(4))
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)


def soft_shadow(p: np.ndarray, pose: Pose, steps: int = 16) -> np.ndarray:
    res = np.ones(len(p), F)
    t = np.full(len(p), 0.06, F)
    for _ in range(steps):
        h = sdf(p + SUN * t[:, None], pose)
        res = np.minimum(res, 10 * h / t)
        t += np.clip(h, 0.06, 0.8)
    return np.clip(res, 0, 1) ** 1.5


def occlusion(p: np.ndarray, n: np.ndarray, pose: Pose) -> np.ndarray:
    occ, sca = np.zeros(len(p), F), 1.0
    for i in range(5):
        h = 0.04 + 0.16 * i
        occ += (h - sdf(p + n * h, pose)) * sca
        sca *= 0.7
    return np.clip(1 - 1.6 * occ, 0, 1)


def skin_detail(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(height, tint) of the skin at rest points: irregular tubercles, bark-like ridges and blotches."""
    warp = np.stack([fbm(q * 0.9, 2, s) for s in (1.0, 2.0, 3.0)], 1) * 0.35
    f1, f2 = cells((q + warp) * 6.5, 3.0)
    tubercle = np.clip(1 - f1 * 1.5, 0, 1) ** 1.2               # round bumps of varying size
    crack = smoothstep(0.0, 0.18, f2 - f1)                      # grooves between them
    big1, _ = cells((q + warp) * 2.2, 9.0)
    plate = np.clip(1 - big1 * 1.3, 0, 1)                       # larger armour bosses
    ridges = 1 - np.abs(fbm(q * np.array([1.4, 4.0, 1.4], F), 3, 7.0))
    h = 0.45 * tubercle * crack + 0.35 * plate + 0.3 * ridges ** 4
    tint = 0.75 + 0.35 * fbm(q * 0.8, 3, 11.0) + 0.25 * tubercle * crack
    return h.astype(F), tint.astype(F)


def bumped(n: np.ndarray, q: np.ndarray, strength: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normals perturbed by the gradient of the skin height (finite differences in rest space); height, tint."""
    e = 0.01
    h0, tint = skin_detail(q)
    g = np.stack([(skin_detail(q + np.array(v, F) * e)[0] - h0) / e for v in ((1, 0, 0), (0, 1, 0), (0, 0, 1))], 1)
    g -= n * np.sum(g * n, axis=1, keepdims=True)             # tangential part only
    out = n - strength * g
    return out / np.linalg.norm(out, axis=1, keepdims=True), h0, tint


def shade(p: np.ndarray, view: np.ndarray, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """Linear RGB and plate-glow weight at surface points."""
    _, mat, q = sdf(p, pose, with_material=True)
    n = normals(p, pose)
    skinish = (mat == SKIN) | (mat == MOUTH)
    nb, height, tint = n.copy(), np.zeros(len(p), F), np.ones(len(p), F)
    if skinish.any():
        nb[skinish], height[skinish], tint[skinish] = bumped(n[skinish], q[skinish], 0.035)
    # Albedo by material.
    alb = np.empty((len(p), 3), F)
    belly = smoothstep(0.2, -0.9, q[:, 0] + 0.15 * np.abs(q[:, 2]) - 0.1 * (q[:, 1] - 4)) * smoothstep(
        6.2, 4.5, q[:, 1]) * smoothstep(1.4, 2.6, q[:, 1])
    skin = np.array([0.052, 0.056, 0.05], F) * (1 - belly[:, None]) + np.array([0.11, 0.1, 0.085], F) * belly[:, None]
    alb[:] = skin * tint[:, None] * (0.6 + 0.7 * height[:, None])
    plate_tip = np.zeros(len(p), F)
    sel = mat == PLATE
    if sel.any():
        # Plates: pale bone at the tips, darker at the root, with fine streaks.
        tipness = smoothstep(0.3, 1.0, _plate_height(q[sel]))
        streak = 0.85 + 0.15 * fbm(q[sel] * np.array([9, 2, 9], F), 2, 5.0)
        alb[sel] = (np.array([0.07, 0.07, 0.065], F) + tipness[:, None] * np.array([0.26, 0.25, 0.22], F)) * \
            streak[:, None]
        plate_tip[sel] = 0.35 + 0.65 * tipness
    alb[mat == EYE] = (0.55, 0.33, 0.06)
    alb[mat == MOUTH] = np.array([0.22, 0.05, 0.05], F) * tint[mat == MOUTH, None]
    alb[mat == TEETH] = (0.62, 0.6, 0.52)
    alb[mat == CLAW] = (0.2, 0.19, 0.17)
    # Light.
    ndl = np.clip(nb @ SUN, 0, 1)
    sh = soft_shadow(p + n * 0.02, pose)
    ao = occlusion(p, n, pose)
    sky = SKY_RGB * (0.5 + 0.5 * nb[:, 1:2]) + GROUND_RGB * (0.5 - 0.5 * nb[:, 1:2])
    fres = np.clip(1 + np.sum(nb * view, axis=1), 0, 1) ** 3
    back = np.clip(-(nb @ SUN) * 0.3 + 0.7, 0, 1)
    half = SUN - view
    half /= np.linalg.norm(half, axis=1, keepdims=True)
    spec_k = np.where(mat == EYE, 1.2, np.where(mat == PLATE, 0.08, 0.18)).astype(F)
    spec = np.clip(np.sum(nb * half, axis=1), 0, 1) ** np.where(mat == EYE, 60, 18) * spec_k
    rgb = alb * (SUN_RGB * (ndl * sh)[:, None] + sky * ao[:, None]) + (spec * sh)[:, None] * SUN_RGB
    rgb += (RIM_RGB * (fres * ao * back * 0.35)[:, None]) * alb.mean(1, keepdims=True) * 6
    glow = plate_tip * np.clip(0.4 + 0.6 * ao, 0, 1)
    return rgb, glow


def _plate_height(q: np.ndarray) -> np.ndarray:
    """Relative height (0 root .. 1 tip) within the nearest plate."""
    best, rel_h = np.full(len(q), 9.0, F), np.zeros(len(q), F)
    for base, up, along, h in PLATE_FRAMES:
        rel = q - base
        v, u = rel @ up, rel @ along
        dist = np.abs(u) / h + np.abs(v / h - 0.5) + np.abs(rel[:, 2]) * 3
        closer = dist < best
        best = np.where(closer, dist, best)
        rel_h = np.where(closer, np.clip(v / h, 0, 1), rel_h)
    return rel_h


def render(pose: Pose, cam: Camera, ss: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(RGB float 0..1 display-referred, alpha, plate glow) at the camera's size.

    Rays are traced at ``ss`` x the size for a clean silhouette; each fine trace starts just short of
    where a coarse (1x) trace around it met the monster, and one sample per output pixel is shaded.
    """
    lo, hi = np.array([-3.6, -0.3, -3.0], F), np.array([8.6, 10.4, 3.2], F)
    o1, d1 = cam.rays()
    b0, b1 = box_hits(o1, d1, lo, hi)
    tc, hc = march(o1, d1, pose, b0, b1)
    h, w = cam.height, cam.width
    near = np.where(hc, tc, np.inf).reshape(h, w).astype(F)
    near = cv2.erode(near, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE)  # min over neighbours
    big = cam.scaled(ss)
    o, d = big.rays()
    start = np.repeat(np.repeat(near, ss, 0), ss, 1).reshape(-1) - 0.4
    b0, b1 = box_hits(o, d, lo, hi)
    start = np.maximum(start, b0)
    end = np.where(np.isfinite(start), b1, -1.0).astype(F)
    t, hit = march(o, d, pose, np.where(np.isfinite(start), start, 0).astype(F), end)
    # One shaded sample per output pixel: its front-most hit sub-sample.
    t_blocks = np.where(hit, t, np.inf).reshape(h, ss, w, ss).transpose(0, 2, 1, 3).reshape(h, w, ss * ss)
    best = np.argmin(t_blocks, axis=2)
    alpha = np.isfinite(t_blocks).mean(axis=2).astype(F)
    by, bx = np.nonzero(alpha > 0)
    k = best[by, bx]
    fine = (by * ss + k // ss) * (w * ss) + bx * ss + k % ss
    lin = np.zeros((h, w, 3), F)
    glow = np.zeros((h, w), F)
    for chunk in np.array_split(np.arange(len(fine)), max(1, len(fine) // 60000)):
        f = fine[chunk]
        p = o[f] + d[f] * t[f, None]
        lin[by[chunk], bx[chunk]], glow[by[chunk], bx[chunk]] = shade(p, d[f], pose)
    col = lin / (1 + lin * 0.55)                                  # soft shoulder, then display gamma
    rgb = np.clip(col, 0, 1) ** (1 / 2.2)
    return rgb, alpha, glow * (alpha > 0)


# --------------------------------------------------------------------------------------------- sheet

IDLE_FRAMES = 6                  # cross-faded at run time, so a few poses make a smooth loop
ROAR_STEPS = (0.4, 0.8, 1.0)     # how far into the roar each roar frame is
HIPS = 3.4  # the sheet shows the monster from the head down to about here (rest-pose height)


def poses() -> tuple[list[Pose], list[Pose]]:
    """The idle loop (breathing, head and tail sway) and the roar (head up, jaw open), in order."""
    idle = []
    for i in range(IDLE_FRAMES):
        a = 2 * math.pi * i / IDLE_FRAMES
        idle.append(Pose(breath=math.sin(a), pitch=0.03 * math.sin(a - 0.6), yaw=0.06 * math.sin(a + 1.0),
                         tail=0.12 * math.sin(a + 2.0), arms=0.5 * math.sin(a - 0.3)))
    roar = []
    for k in ROAR_STEPS:
        e = k * k * (3 - 2 * k)
        roar.append(Pose(breath=1.0 * e, pitch=0.16 * e, yaw=0.12 * e, jaw=0.5 * e, tail=-0.15 * e, arms=-0.6 * e))
    return idle, roar


def build(out: Path, scale: float = 1.0, frames: list[int] | None = None, log=print) -> dict:
    """Render every frame and write ``kaiju_sheet.jpg`` (RGB), ``kaiju_alpha.png`` (coverage),
    ``kaiju_glow.png`` (where the plates glow) and ``kaiju.json`` (frame layout, mouth and beam direction)."""
    idle, roar = poses()
    cam = framed(round(720 * scale), [idle[0], roar[-1]], above=HIPS)
    todo = idle + roar
    if frames:
        todo = [todo[i] for i in frames]
    rgbs, alphas, glows, meta = [], [], [], []
    for k, pose in enumerate(todo):
        t0 = time.perf_counter()
        rgb, alpha, glow = render(pose, cam)
        mouth = mouth_point(pose)
        throat = posed_point(THROAT, pose)
        m2, t2 = cam.project(np.stack([mouth, throat]))
        beam = m2 - t2
        beam /= np.linalg.norm(beam)
        meta.append({"mouth": [round(float(v), 1) for v in m2], "beam": [round(float(v), 4) for v in beam]})
        rgbs.append(rgb)
        alphas.append(alpha)
        glows.append(glow)
        log(f"kaiju frame {k + 1}/{len(todo)}: {time.perf_counter() - t0:.1f} s")
    # Fade the cut at the bottom so it never shows as an edge.
    fade = np.clip((cam.height - 1 - np.arange(cam.height, dtype=F)) / (0.12 * cam.height), 0, 1)[:, None]
    def u8(x: np.ndarray) -> np.ndarray:
        return (np.clip(x, 0, 1) * 255).round().astype(np.uint8)

    cells = [(_bleed(u8(rgb), alpha * fade > 0.01), u8(alpha * fade), u8(glow * fade))
             for rgb, alpha, glow in zip(rgbs, alphas, glows, strict=True)]
    feet, top = cam.project(np.array([[-0.35, 0.0, 1.32], [-1.0, 8.5, 0.0]], F))[:, 1]
    return pack(out, cells, meta, len(idle), float(feet - top))


def pack(out: Path, cells: list[tuple[np.ndarray, np.ndarray, np.ndarray]], meta: list[dict], idle: int,
         figure: float) -> dict:
    """Crop the frames (colour, coverage, glow as uint8) to the union of their extents and write the sheet:
    colour as JPEG, coverage as PNG, the glow (blurred at run time anyway) as PNG at half size."""
    union = np.max([a for _, a, _ in cells], axis=0) > 0
    ys, xs = np.nonzero(union)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    fh, fw = y1 - y0, x1 - x0
    gh, gw = (fh + 1) // 2, (fw + 1) // 2
    cols = 4
    rows = -(-len(cells) // cols)
    sheet = np.zeros((rows * fh, cols * fw, 3), np.uint8)
    asheet = np.zeros((rows * fh, cols * fw), np.uint8)
    gsheet = np.zeros((rows * gh, cols * gw), np.uint8)
    frames = []
    for k, (rgb, alpha, glow) in enumerate(cells):
        r, c = divmod(k, cols)
        sheet[r * fh:(r + 1) * fh, c * fw:(c + 1) * fw] = rgb[y0:y1, x0:x1]
        asheet[r * fh:(r + 1) * fh, c * fw:(c + 1) * fw] = alpha[y0:y1, x0:x1]
        gsheet[r * gh:(r + 1) * gh, c * gw:(c + 1) * gw] = cv2.resize(glow[y0:y1, x0:x1], (gw, gh),
                                                                      interpolation=cv2.INTER_AREA)
        mx, my = meta[k]["mouth"]
        frames.append({"mouth": [round(mx - float(x0), 1), round(my - float(y0), 1)], "beam": meta[k]["beam"]})
    info = {"frame": [int(fw), int(fh)], "glow_frame": [int(gw), int(gh)], "columns": cols,
            "idle": list(range(idle)), "roar": list(range(idle, len(cells))), "idle_seconds": 4.0,
            "figure": round(figure, 1), "frames": frames,
            "how": "tools/kaiju_render.py: SDF creature ray-marched in numpy, 2x supersampled"}
    out.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out / "kaiju_sheet.jpg"), sheet[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 84])
    cv2.imwrite(str(out / "kaiju_alpha.png"), asheet, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    cv2.imwrite(str(out / "kaiju_glow.png"), gsheet, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    (out / "kaiju.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def _bleed(img: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Fill transparent pixels with nearby opaque colour, so JPEG ringing and resizing keep clean edges."""
    out = img.copy()
    known = inside.astype(np.uint8)
    for _ in range(6):
        grown = cv2.dilate(out, np.ones((3, 3), np.uint8))
        fill = (cv2.dilate(known, np.ones((3, 3), np.uint8)) > 0) & (known == 0)
        out[fill] = grown[fill]
        known[fill] = 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="render size relative to the shipped sheet")
    parser.add_argument("--frames", help="render only these frames, e.g. 0,21 (a quick look)")
    args = parser.parse_args(argv)
    frames = [int(v) for v in args.frames.split(",")] if args.frames else None
    build(args.out, args.scale, frames, log=lambda s: print(s, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
