"""Synthetic hands: an articulated 3D hand rendered with soft shading, and its 21 joints in the picture.

No hand photos ship in the packages the factory reads (scikit-image, matplotlib, the
mediapipe wheel), so the hand models are calibrated and checked on renders: a skeleton with
the MediaPipe joint order (wrist, thumb CMC..tip, index MCP..tip, ... pinky) and adult
proportions in centimetres, posed by per-joint flexion, fleshed out with overlapping
spheres (fingers, palm slab, thumb web, forearm with a sleeve), splatted into a depth
buffer at 2x and shaded from its normals (wrap-around diffuse for skin, a little specular,
a skin-tone texture). The joints are known exactly, so the same renders label the gesture
set (``tools/eval_gestures.py``).

Usage::

    rng = np.random.default_rng(0)
    hand = render(pose("open_palm"), facing("open_palm", rng), scale=9.0, wrist=(320, 400), size=(640, 480), rng=rng)
    picture = composite(background, hand)       # hand.joints: (21, 2) pixels, MediaPipe's order
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

FINGERS = ("index", "middle", "ring", "pinky")
# Hand-local frame, cm: x toward the thumb, y along the fingers, z out of the palm. A right hand seen palm-on
# has its thumb on the picture's right; left hands are mirrored in x.
_MCP = {"index": (2.35, 8.6), "middle": (0.45, 8.9), "ring": (-1.35, 8.45), "pinky": (-3.0, 7.6)}
_LENGTH = {"index": (3.9, 2.4, 1.9), "middle": (4.4, 2.8, 2.0), "ring": (4.1, 2.7, 1.9), "pinky": (3.3, 2.0, 1.7)}
_RADIUS = {"index": (0.95, 0.85, 0.78, 0.7), "middle": (0.98, 0.88, 0.8, 0.72), "ring": (0.92, 0.83, 0.76, 0.68),
           "pinky": (0.82, 0.74, 0.68, 0.6)}
_SPLAY = {"index": 7.0, "middle": 0.0, "ring": -7.0, "pinky": -16.0}
_THUMB = ((4.0, 1.25, 1.08), (3.1, 1.08, 0.98), (2.6, 0.98, 0.85))   # metacarpal, proximal, distal: length, radii
SKIN_TONES = ((241, 198, 172), (226, 176, 142), (203, 146, 110), (170, 116, 84), (128, 86, 60), (92, 62, 44))
SIGMA_CM = 0.15   # normals averaged over this (cm): joints blend, fingers stay apart
SLEEVES = ((40, 44, 60), (180, 30, 40), (230, 230, 225), (60, 110, 70), (25, 25, 25), (200, 170, 90))

# (spread, MCP, PIP, DIP flexion in degrees) per finger; thumb (abduction, CMC, MCP, IP).
Finger = tuple[float, float, float, float]
_CURLED: Finger = (0.0, 88.0, 100.0, 65.0)
POSES: dict[str, dict[str, Finger]] = {
    "open_palm": {**{f: (5.0, 4.0, 4.0, 2.0) for f in FINGERS}, "thumb": (12.0, 0.0, 4.0, 4.0)},
    "fist": {**{f: _CURLED for f in FINGERS}, "thumb": (-25.0, 60.0, 50.0, 35.0)},
    "thumb_up": {**{f: _CURLED for f in FINGERS}, "thumb": (40.0, -20.0, 0.0, 0.0)},
    "thumb_down": {**{f: _CURLED for f in FINGERS}, "thumb": (40.0, -20.0, 0.0, 0.0)},
    "pointing": {"index": (0.0, 4.0, 4.0, 2.0), **{f: _CURLED for f in FINGERS[1:]},
                 "thumb": (-22.0, 48.0, 42.0, 30.0)},
    "relaxed": {**{f: (0.0, 28.0 + 6 * i, 38.0 + 4 * i, 22.0) for i, f in enumerate(FINGERS)},
                "thumb": (-4.0, 18.0, 14.0, 12.0)},
    "victory": {"index": (8.0, 4.0, 4.0, 2.0), "middle": (-6.0, 4.0, 4.0, 2.0), "ring": _CURLED, "pinky": _CURLED,
                "thumb": (-22.0, 48.0, 42.0, 30.0)},
}


@dataclass(frozen=True)
class Pose:
    """Joint angles of one hand; ``left`` mirrors it."""

    name: str
    angles: dict[str, Finger]
    left: bool = False


@dataclass(frozen=True)
class Hand:
    """One rendered hand: colour and coverage at picture size, the 21 joints in picture pixels (x, y)."""

    rgb: np.ndarray      # H x W x 3 float32, 0..255
    alpha: np.ndarray    # H x W float32, 0..1
    joints: np.ndarray   # (21, 2) float32
    depth: np.ndarray    # (21,) joint depth toward the camera, pixels


def pose(name: str, rng: np.random.Generator | None = None, jitter: float = 0.0, left: bool = False) -> Pose:
    """A named pose, with every angle moved by up to ``jitter`` degrees (normal, clipped at 2 sigma)."""
    angles = {k: tuple(float(a) for a in v) for k, v in POSES[name].items()}
    if rng is not None and jitter > 0:
        angles = {k: tuple(a + float(np.clip(rng.normal(0, jitter / 2), -jitter, jitter)) for a in v)
                  for k, v in angles.items()}
    return Pose(name, angles, left)  # type: ignore[arg-type]


def rotation(axis: tuple[float, float, float], degrees: float) -> np.ndarray:
    """3x3 rotation about a unit ``axis`` (right-handed)."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    x, y, z = axis
    return np.array([[c + x * x * (1 - c), x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
                     [y * x * (1 - c) + z * s, c + y * y * (1 - c), y * z * (1 - c) - x * s],
                     [z * x * (1 - c) - y * s, z * y * (1 - c) + x * s, c + z * z * (1 - c)]])


def skeleton(p: Pose) -> tuple[np.ndarray, np.ndarray]:
    """The 21 joints (cm, hand-local) in MediaPipe's order, and a flesh radius at each."""
    points = np.zeros((21, 3))
    radii = np.zeros(21)
    radii[0] = 2.3
    for i, name in enumerate(FINGERS):
        spread, *flex = p.angles[name]
        base = 5 + 4 * i
        at = np.array([*_MCP[name], 0.0])
        points[base] = at
        turn = rotation((0, 0, 1), -(_SPLAY[name] + spread))
        for k in range(3):
            turn = turn @ rotation((1, 0, 0), flex[k])   # flexion curls toward +z, the palm's side
            at = at + turn @ np.array([0.0, _LENGTH[name][k], 0.0])
            points[base + 1 + k] = at
        radii[base:base + 4] = _RADIUS[name]
    abduct, *flex = p.angles["thumb"]
    at = np.array([1.9, 1.7, 0.7])
    points[1] = at
    turn = rotation((0, 0, 1), -(36.0 + abduct)) @ rotation((0, 1, 0), -40.0)
    for k, ((length, r0, _), angle) in enumerate(zip(_THUMB, flex, strict=True)):
        turn = turn @ rotation((1, 0, 0), angle)
        at = at + turn @ np.array([0.0, length, 0.0])
        points[2 + k] = at
        radii[1 + k] = r0
    radii[4] = _THUMB[2][2]
    if p.left:
        points[:, 0] *= -1
    return points, radii


def facing(name: str, rng: np.random.Generator, amount: float = 1.0, left: bool = False) -> np.ndarray:
    """A camera-facing orientation typical of gesture ``name`` (3x3, local -> camera), varied by ``amount``.

    Camera frame: x right, y up, z toward the camera. Open palms and pointing face the camera
    fingers up; thumbs point up or down with the fist side-on; fists and relaxed hands vary most.
    """
    r = lambda spread: float(rng.uniform(-spread, spread)) * amount  # noqa: E731
    side = -1.0 if left else 1.0
    if name in ("open_palm", "victory"):
        base = rotation((0, 0, 1), r(25)) @ rotation((0, 1, 0), r(30)) @ rotation((1, 0, 0), r(20))
    elif name == "pointing":
        base = (rotation((0, 0, 1), r(35)) @ rotation((0, 1, 0), 180 * float(rng.random() < 0.5) + r(30))
                @ rotation((1, 0, 0), r(20)))
    elif name in ("thumb_up", "thumb_down"):
        # the forearm comes from below and to the side (thumbs up) or reaches toward the camera (thumbs
        # down), the thumb points straight up or down; the rest of the turn follows
        up = name == "thumb_up"
        arm = np.array([side * 0.75, -0.45, 0.45]) if up else np.array([side * 0.75, 0.0, 0.6])
        arm = _unit(arm + rng.normal(0, 0.15 * amount, 3))
        thumb = _unit(np.array([r(0.25), 1.0 if up else -1.0, r(0.25)]))
        points, _ = skeleton(pose(name, left=left))
        base = aim(points[4] - points[2], thumb, np.array([0.0, -1.0, 0.0]), arm)   # the thumb exactly, the arm near
    elif name == "relaxed":
        down = 180.0 if rng.random() < 0.4 else 0.0
        base = rotation((0, 0, 1), down + r(50)) @ rotation((0, 1, 0), r(70)) @ rotation((1, 0, 0), r(30))
    else:   # fist
        base = rotation((0, 0, 1), r(40)) @ rotation((0, 1, 0), r(80)) @ rotation((1, 0, 0), r(30))
    return base


def aim(local_a: np.ndarray, world_a: np.ndarray, local_b: np.ndarray, world_b: np.ndarray) -> np.ndarray:
    """The rotation taking ``local_a`` onto ``world_a`` exactly and ``local_b`` as near ``world_b`` as it can."""
    def frame(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        e1 = _unit(a)
        e2 = _unit(b - (b @ e1) * e1)
        return np.stack([e1, e2, np.cross(e1, e2)], axis=1)
    return frame(world_a, world_b) @ frame(local_a, local_b).T


def _spheres(points: np.ndarray, radii: np.ndarray, left: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres (N, 3), radii (N,) and a sleeve flag (N,) of the spheres that flesh out the skeleton."""
    centres: list[np.ndarray] = []
    sizes: list[float] = []
    sleeve: list[bool] = []

    def tube(a: np.ndarray, b: np.ndarray, ra: float, rb: float, step: float = 0.22, cloth: bool = False) -> None:
        n = max(3, int(np.linalg.norm(b - a) / step) + 1)
        for t in np.linspace(0.0, 1.0, n):
            centres.append(a * (1 - t) + b * t)
            sizes.append(ra * (1 - t) + rb * t)
            sleeve.append(cloth)

    for i in range(4):
        base = 5 + 4 * i
        for k in range(3):
            tube(points[base + k], points[base + k + 1], radii[base + k], radii[base + k + 1])
    for k in range(1, 4):
        tube(points[k], points[k + 1], radii[k], radii[k + 1])
    # the palm: a slab of spheres between the wrist's width and the knuckles, thinner at the edges
    x = -1.0 if left else 1.0
    knuckles = points[[5, 9, 13, 17]]
    heel = np.array([[1.9 * x, 0.9, 0.0], [0.6 * x, 0.4, 0.0], [-0.9 * x, 0.5, 0.0], [-2.2 * x, 1.1, 0.0]])
    for u in np.linspace(0.0, 1.0, 8):
        top = _along(knuckles, u)
        bottom = _along(heel, u)
        edge = 1.0 - 0.25 * abs(2 * u - 1)
        for v in np.linspace(0.0, 1.0, 9):
            centres.append(bottom * (1 - v) + (top - np.array([0, 0.35, 0.15])) * v + np.array([0, 0, -0.25]))
            sizes.append(1.45 * edge)
            sleeve.append(False)
    # the thenar eminence and the web between thumb and index finger
    for t in np.linspace(0.0, 1.0, 7):
        start = points[1] * (1 - t) + points[2] * t
        for v in np.linspace(0.0, 1.0, 5):
            target = np.array([0.6 * x, 2.2 + 5.0 * t, -0.1]) if t < 0.75 else points[5] * 0.8 + points[2] * 0.2
            centres.append(start * (1 - v) + target * v)
            sizes.append(1.3 - 0.35 * t)
            sleeve.append(False)
    # wrist and forearm, the sleeve from a few centimetres on
    cuff = 4.5
    tube(np.array([0.0, 0.6, -0.3]), np.array([0.0, -cuff, -0.4]), 2.35, 2.5)
    tube(np.array([0.0, -cuff, -0.4]), np.array([0.0, -26.0, -0.6]), 3.0, 3.6, step=0.5, cloth=True)
    return np.array(centres), np.array(sizes), np.array(sleeve)


def _along(points: np.ndarray, u: float) -> np.ndarray:
    """A point at fraction ``u`` along a polyline."""
    at = u * (len(points) - 1)
    i = min(int(at), len(points) - 2)
    t = at - i
    return points[i] * (1 - t) + points[i + 1] * t


def render(p: Pose, turn: np.ndarray, *, scale: float, wrist: tuple[float, float], size: tuple[int, int],
           rng: np.random.Generator, skin: tuple[int, int, int] | None = None,
           sleeve: tuple[int, int, int] | None = None, light: np.ndarray | None = None) -> Hand:
    """Render ``p`` turned by ``turn`` with ``scale`` pixels per cm, the wrist joint at ``wrist`` (pixels)."""
    points, radii = skeleton(p)
    centres, sizes, cloth = _spheres(points, radii, p.left)
    width, height = size
    ss = 2
    k = scale * ss
    camera = centres @ turn.T
    pr = sizes * k
    # work in the hand's bounding box only (at 2x), clipped to the picture
    left = max(0, int((wrist[0] + (camera[:, 0] * scale - sizes * scale).min()) - 2))
    top = max(0, int((wrist[1] - (camera[:, 1] * scale + sizes * scale).max()) - 2))
    right = min(width, int(wrist[0] + (camera[:, 0] * scale + sizes * scale).max()) + 3)
    bottom = min(height, int(wrist[1] - (camera[:, 1] * scale - sizes * scale).min()) + 3)
    rgb = np.zeros((height, width, 3), np.float32)
    alpha = np.zeros((height, width), np.float32)
    joints = points @ turn.T
    xy = np.stack([wrist[0] + joints[:, 0] * scale, wrist[1] - joints[:, 1] * scale], axis=1)
    hand = Hand(rgb, alpha, xy.astype(np.float32), (joints[:, 2] * scale).astype(np.float32))
    if right <= left or bottom <= top:
        return hand
    bw, bh = (right - left) * ss, (bottom - top) * ss
    px = (wrist[0] - left) * ss + camera[:, 0] * k
    py = (wrist[1] - top) * ss - camera[:, 1] * k
    pz = camera[:, 2] * k
    depth = np.full((bh, bw), -np.inf, np.float32)
    normal = np.zeros((bh, bw, 3), np.float32)
    material = np.zeros((bh, bw), np.float32)   # 1 where the sleeve is in front
    for cx, cy, cz, rr, is_cloth in zip(px, py, pz, pr, cloth, strict=True):
        x0, x1 = max(0, int(cx - rr)), min(bw, int(cx + rr) + 2)
        y0, y1 = max(0, int(cy - rr)), min(bh, int(cy + rr) + 2)
        if x0 >= x1 or y0 >= y1:
            continue
        dx = (np.arange(x0, x1, dtype=np.float32) + 0.5 - cx)[None, :]
        dy = (np.arange(y0, y1, dtype=np.float32) + 0.5 - cy)[:, None]
        h2 = rr * rr - dx * dx - dy * dy
        height_above = np.sqrt(np.maximum(h2, 0))
        z = cz + height_above
        win = depth[y0:y1, x0:x1]
        front = (h2 > 0) & (z > win)
        if not front.any():
            continue
        win[front] = z[front]
        n = normal[y0:y1, x0:x1]
        n[..., 0] = np.where(front, dx / rr, n[..., 0])
        n[..., 1] = np.where(front, -dy / rr, n[..., 1])
        n[..., 2] = np.where(front, height_above / rr, n[..., 2])
        if is_cloth:
            material[y0:y1, x0:x1][front] = 1.0
        else:
            material[y0:y1, x0:x1][front] = 0.0
    inside = np.isfinite(depth).astype(np.float32)
    # blend the creases between spheres: normals averaged inside the silhouette over SIGMA_CM (0.35 cm hid the
    # gaps between curled fingers: the float palm detector then found 2 of 12 rendered thumbs down, 4 of 12 thumbs
    # up and 6 of 12 fists; at 0.15 cm 4, 8 and 9; open palms 12 either way)
    sigma = max(1.0, SIGMA_CM * k)
    weight = cv2.GaussianBlur(inside, (0, 0), sigma) + 1e-6
    normal = cv2.GaussianBlur(normal * inside[..., None], (0, 0), sigma) / weight[..., None]
    normal /= np.linalg.norm(normal, axis=2, keepdims=True) + 1e-6
    light = light if light is not None else _unit(np.array([rng.uniform(-0.6, 0.6), rng.uniform(0.1, 0.7), 0.8]))
    wrap = np.clip((normal @ light + 0.35) / 1.35, 0.0, 1.0)
    half = _unit(light + np.array([0.0, 0.0, 1.0]))
    shine = np.clip(normal @ half, 0.0, 1.0) ** 24
    tone = np.array(skin or SKIN_TONES[int(rng.integers(len(SKIN_TONES)))], np.float32)
    cloth_tone = np.array(sleeve or SLEEVES[int(rng.integers(len(SLEEVES)))], np.float32)
    texture = 1.0 + cv2.GaussianBlur(rng.normal(0, 1, inside.shape).astype(np.float32), (0, 0), 2.5 * ss) * 0.5
    texture += cv2.GaussianBlur(rng.normal(0, 1, inside.shape).astype(np.float32), (0, 0), 0.6 * ss) * 0.06
    albedo = tone[None, None] * (1 - material[..., None]) + cloth_tone[None, None] * material[..., None]
    # skin is redder where light passes through thin parts (fingers): a touch of red in the shadows
    red = np.array([1.06, 0.96, 0.94], np.float32)
    colour = albedo * texture[..., None] * (0.3 + 0.78 * wrap[..., None]) * red + 40.0 * shine[..., None] * (
        1 - material[..., None])
    box = (right - left, bottom - top)
    colour = cv2.resize(np.clip(colour, 0, 255) * inside[..., None], box, interpolation=cv2.INTER_AREA)
    cover = cv2.resize(inside, box, interpolation=cv2.INTER_AREA)
    rgb[top:bottom, left:right] = colour / np.maximum(cover, 1e-6)[..., None]
    alpha[top:bottom, left:right] = cover
    return hand
def composite(image: np.ndarray, hand: Hand) -> np.ndarray:
    """``hand`` over an RGB ``image`` (uint8 or float; float result, 0..255)."""
    a = hand.alpha[..., None]
    return hand.rgb * a + image.astype(np.float32) * (1 - a)


def palm_size(joints: np.ndarray) -> float:
    """Wrist to middle-finger knuckle distance in pixels: the scale landmark errors are divided by."""
    return float(np.linalg.norm(joints[9, :2] - joints[0, :2]))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) + 1e-12)
