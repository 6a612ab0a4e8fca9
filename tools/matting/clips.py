"""Short 640×480 clips with a known alpha: cut-out people moving over held-out backgrounds.

Every clip is drawn from a seed, so runs are identical. Each frame gets fresh sensor noise
(σ = 3 grey levels), like a camera. The backgrounds are the model factory's held-out ones (the
models never saw them) plus a warm painted wall, the issue's "orange wall":

- ``still``: a person standing still (flicker);
- ``sway``: a person swaying side to side at up to ~30 px per frame (ghosts, lag);
- ``lean``: a person leaning from the hips, the head sweeping across;
- ``arm``: a person waving an arm up and down (a limb leaving places);
- ``two``: one person still, a second walking in from the frame edge;
- ``approach``: a person walking towards the camera, from small to close-up.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from tools.matting.cutouts import cutout
from tools.modelfactory.images import HELD_OUT_BACKGROUNDS, load_photo

SIZE = (640, 480)
FRAMES = 30
NOISE = 3.0


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # 480×640×3 uint8
    alpha: np.ndarray  # 480×640 float32, the truth


@dataclass(frozen=True)
class Clip:
    name: str
    background: str
    moving: bool
    draw: Callable[[int], list[tuple[str, np.ndarray]]]  # frame index -> [(person, 2×3 placement)]

    def frames(self) -> Iterator[Frame]:
        rng = np.random.default_rng(_seed(self.name))
        back = background(self.background).astype(np.float32)
        for i in range(FRAMES):
            image, alpha = back.copy(), np.zeros(SIZE[::-1], np.float32)
            for person, matrix in self.draw(i):
                rgb, a = _placed(person, matrix)
                image = rgb * a[..., None] + image * (1 - a[..., None])
                alpha = a + alpha * (1 - a)
            image += rng.normal(0, NOISE, image.shape).astype(np.float32)
            yield Frame(np.clip(image, 0, 255).round().astype(np.uint8), alpha)


def _seed(name: str) -> int:
    return sum(ord(c) * 131 ** i for i, c in enumerate(name)) % 2**31


@functools.cache
def background(name: str) -> np.ndarray:
    """A held-out background (or the painted wall) covering 640×480."""
    if name == "wall":
        yy, xx = np.mgrid[0:SIZE[1], 0:SIZE[0]].astype(np.float32)
        shade = 0.85 + 0.15 * (xx / SIZE[0]) - 0.1 * (yy / SIZE[1])
        wall = np.stack([235 * shade, 130 * shade, 50 * shade], -1)
        texture = cv2.GaussianBlur(np.random.default_rng(5).normal(0, 6, SIZE[::-1]).astype(np.float32), (0, 0), 2)
        return np.clip(wall + texture[..., None], 0, 255).astype(np.uint8)
    image = load_photo(name).image
    scale = max(SIZE[0] / image.shape[1], SIZE[1] / image.shape[0])
    image = cv2.resize(image, (math.ceil(image.shape[1] * scale), math.ceil(image.shape[0] * scale)),
                       interpolation=cv2.INTER_LINEAR)
    y0, x0 = (image.shape[0] - SIZE[1]) // 2, (image.shape[1] - SIZE[0]) // 2
    return np.ascontiguousarray(image[y0:y0 + SIZE[1], x0:x0 + SIZE[0]])


def _placed(person: str, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rgb, alpha = _person(person)
    warped = cv2.warpAffine(rgb, matrix, SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpAffine(alpha, matrix, SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return warped.astype(np.float32), a


@functools.cache
def _person(person: str) -> tuple[np.ndarray, np.ndarray]:
    """A cut-out, or the astronaut's arm: a capsule of her suit sleeve (``arm``)."""
    if person != "arm":
        rgb, alpha = cutout(person)
        return rgb, alpha
    rgb, _ = cutout("astronaut")
    sleeve = cv2.resize(rgb[330:470, 40:110], (60, 220), interpolation=cv2.INTER_LINEAR)
    alpha = np.zeros((220, 60), np.uint8)
    cv2.rectangle(alpha, (4, 28), (55, 219), 255, -1)
    cv2.circle(alpha, (30, 30), 26, 255, -1, cv2.LINE_AA)
    hand = np.zeros_like(sleeve)
    hand[:] = (225, 180, 150)
    top = np.zeros((220, 60), bool)
    top[:58] = True
    sleeve[top] = hand[top]
    return sleeve, alpha.astype(np.float32) / 255


def _place(person: str, height: float, centre: tuple[float, float], angle: float = 0.0,
           pivot: tuple[float, float] | None = None) -> tuple[str, np.ndarray]:
    """Scale a person to ``height`` pixels, centred at ``centre``, rotated ``angle`` degrees about ``pivot``."""
    rgb, _ = _person(person)
    h, w = rgb.shape[:2]
    s = height / h
    px, py = pivot if pivot is not None else (w / 2, h / 2)
    m = cv2.getRotationMatrix2D((px, py), angle, s)
    m[:, 2] += (centre[0] - px, centre[1] - py)
    return person, m


def _still(i: int) -> list:
    return [_place("astronaut", 470, (330, 250))]


def _sway(i: int) -> list:
    return [_place("grace_hopper", 430, (320 + 150 * math.sin(2 * math.pi * i / 30), 270))]


def _lean(i: int) -> list:
    angle = 22 * math.sin(2 * math.pi * i / 20)
    return [_place("camera", 470, (300, 480), angle, pivot=(256, 512))]


def _arm(i: int) -> list:
    body = _place("astronaut", 470, (330, 250))
    angle = 150 + 60 * math.sin(2 * math.pi * i / 12)  # the forearm swings up over the head and down
    return [body, _place("arm", 230, (150, 250), angle, pivot=(30, 210))]


def _two(i: int) -> list:
    left = _place("astronaut", 400, (190, 280))
    right = _place("grace_hopper", 380, (700 - 9 * i, 290))
    return [left, right]


def _approach(i: int) -> list:
    return [_place("camera", 260 + 12 * i, (320, 480 - (260 + 12 * i) / 2 + 20))]


CLIPS = (
    Clip("still", "gravel", False, _still),
    Clip("sway", "coffee", True, _sway),
    Clip("lean", "motorcycle_left", True, _lean),
    Clip("arm", "gravel", True, _arm),
    Clip("two", "wall", True, _two),
    Clip("approach", "coffee", True, _approach),
)
assert {c.background for c in CLIPS} - {"wall"} <= set(HELD_OUT_BACKGROUNDS)
