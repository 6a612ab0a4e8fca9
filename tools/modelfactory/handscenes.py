"""Scenes with hands: rendered hands in several poses on real backgrounds, alone or beside a person.

Each scene is a 640x480 background (the split's own: held-out scenes never reuse a
calibration background), half of them with one of the face photos composited in as
``scenes`` does, then one or two rendered hands (``handrender``) in a random pose
(open palm, fist, thumb up, thumb down, pointing, relaxed, victory), size, place, angle,
skin tone and sleeve, and finally the same light, colour, blur and noise variation as the
face scenes. Seeded per split: identical on every run. The joints are kept, so the scenes
also serve as labelled data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from tools.modelfactory import handrender
from tools.modelfactory.images import CALIBRATION_BACKGROUNDS, FACE_SOURCES, HELD_OUT_BACKGROUNDS, load_photo
from tools.modelfactory.scenes import SCENE_SIZE, Matte, _compose, _fit

SPLIT_SEEDS = {"calibration": 5150, "tuning": 6160, "held_out": 7170}
POSE_NAMES = tuple(handrender.POSES)


@dataclass(frozen=True)
class HandScene:
    image: np.ndarray                    # 480 x 640 x 3 uint8 RGB
    hands: tuple[tuple[str, np.ndarray], ...]   # (pose name, (21, 2) joints in pixels) per hand
    recipe: str


def hand_scenes(split: str, count: int, matte: Matte) -> Iterator[HandScene]:
    """``count`` deterministic hand scenes of ``split`` ("calibration", "tuning" or "held_out")."""
    backgrounds = [load_photo(n) for n in (HELD_OUT_BACKGROUNDS if split == "held_out"
                                          else CALIBRATION_BACKGROUNDS)]
    people = [load_photo(n) for n in FACE_SOURCES]
    alphas: dict[str, np.ndarray] = {}
    rng = np.random.default_rng(SPLIT_SEEDS[split])
    for _ in range(count):
        background = backgrounds[int(rng.integers(len(backgrounds)))]
        if rng.random() < 0.5:
            person = people[int(rng.integers(len(people)))]
            if person.name not in alphas:
                alphas[person.name] = matte(person.image)
            image = _compose(rng, person, alphas[person.name], background).image
            where = f"{person.name} on {background.name}"
        else:
            image = _fit(background.image)
            where = background.name
        yield _add_hands(rng, image, where)


def _add_hands(rng: np.random.Generator, image: np.ndarray, where: str) -> HandScene:
    width, height = SCENE_SIZE
    canvas = image.astype(np.float32)
    hands: list[tuple[str, np.ndarray]] = []
    parts = []
    for _ in range(1 + int(rng.random() < 0.25)):
        name = POSE_NAMES[int(rng.integers(len(POSE_NAMES)))]
        left = bool(rng.random() < 0.5)
        scale = float(rng.uniform(4.0, 12.0))   # pixels per cm: a hand 70-220 px long
        wrist = (float(rng.uniform(0.15, 0.85) * width), float(rng.uniform(0.45, 0.95) * height))
        hand = handrender.render(handrender.pose(name, rng, 8.0, left), handrender.facing(name, rng, 1.0, left),
                                 scale=scale, wrist=wrist, size=SCENE_SIZE, rng=rng)
        canvas = handrender.composite(canvas, hand)
        hands.append((name, hand.joints))
        parts.append(f"{'left' if left else 'right'} {name} {scale:.1f} px/cm")
    contrast = float(rng.uniform(0.7, 1.3))
    brightness = float(rng.uniform(-40, 40))
    canvas = ((canvas - 128) * contrast + 128 + brightness) * rng.uniform(0.88, 1.12, 3)
    if rng.random() < 0.25:
        canvas = cv2.GaussianBlur(canvas, (5, 5), float(rng.uniform(0.5, 1.3)))
    canvas = canvas + rng.normal(0, float(rng.uniform(0, 10)), canvas.shape)
    return HandScene(np.clip(canvas, 0, 255).round().astype(np.uint8), tuple(hands),
                     f"{where}; {', '.join(parts)}; contrast {contrast:.2f} brightness {brightness:.0f}")
