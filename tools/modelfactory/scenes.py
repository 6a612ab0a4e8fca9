"""Augmented 640x480 scenes with people: scale, rotation, crop, flip, light, noise, composites.

A scene places one of the face photos, cut out with the float segmentation
mask, onto a background at a random scale, angle and position, or keeps the
photo's own background; then varies brightness, contrast, colour, blur and
noise. Everything is driven by one seeded generator, so the set is identical
on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from tools.modelfactory.images import (
    CALIBRATION_BACKGROUNDS,
    FACE_SOURCES,
    HELD_OUT_BACKGROUNDS,
    Photo,
    load_photo,
)

SCENE_SIZE = (640, 480)  # width, height, like the camera
# "tuning" uses the calibration backgrounds with other draws: for choosing knobs without touching held_out.
SPLIT_SEEDS = {"calibration": 20240508, "tuning": 4242, "held_out": 77}

Matte = Callable[[np.ndarray], np.ndarray]  # RGB image -> person alpha 0..1 at image size


@dataclass(frozen=True)
class Scene:
    image: np.ndarray  # 480 x 640 x 3 uint8 RGB
    recipe: str  # how it was made, for the report


def scenes(split: str, count: int, matte: Matte) -> Iterator[Scene]:
    """``count`` deterministic scenes of one split ("calibration" or "held_out")."""
    backgrounds = [load_photo(n) for n in (HELD_OUT_BACKGROUNDS if split == "held_out"
                                          else CALIBRATION_BACKGROUNDS)]
    faces = [load_photo(n) for n in FACE_SOURCES]
    alphas = {f.name: matte(f.image) for f in faces}
    rng = np.random.default_rng(SPLIT_SEEDS[split])
    if split == "calibration":  # the untouched photos first
        for face in faces:
            yield Scene(_fit(face.image), f"{face.name} as shipped")
            count -= 1
    for _ in range(count):
        face = faces[int(rng.integers(len(faces)))]
        background = backgrounds[int(rng.integers(len(backgrounds)))]
        yield _compose(rng, face, alphas[face.name], background)


def _fit(image: np.ndarray) -> np.ndarray:
    """Cover the scene size, cropping the centre."""
    width, height = SCENE_SIZE
    scale = max(width / image.shape[1], height / image.shape[0])
    resized = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)),
                         interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    y = (resized.shape[0] - height) // 2
    x = (resized.shape[1] - width) // 2
    return np.ascontiguousarray(resized[y:y + height, x:x + width])


def _compose(rng: np.random.Generator, face: Photo, alpha: np.ndarray, background: Photo) -> Scene:
    width, height = SCENE_SIZE
    composite = rng.random() < 0.7
    base = _fit(background.image) if composite else None
    scale = float(rng.uniform(0.35, 1.25)) * height / face.image.shape[0]
    angle = float(rng.uniform(-25, 25))
    flip = bool(rng.random() < 0.5)
    centre = (float(rng.uniform(0.3, 0.7) * width), float(rng.uniform(0.35, 0.75) * height))
    source = face.image[:, ::-1] if flip else face.image
    mask = alpha[:, ::-1] if flip else alpha
    matrix = cv2.getRotationMatrix2D((source.shape[1] / 2, source.shape[0] / 2), angle, scale)
    matrix[:, 2] += (centre[0] - source.shape[1] / 2, centre[1] - source.shape[0] / 2)
    warped = cv2.warpAffine(np.ascontiguousarray(source), matrix, (width, height), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REFLECT)
    if composite:
        weight = cv2.warpAffine(np.ascontiguousarray(mask), matrix, (width, height), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT)[:, :, None]
        image = warped * weight + base * (1 - weight)
    else:
        image = warped.astype(np.float32)
    contrast = float(rng.uniform(0.6, 1.4))
    brightness = float(rng.uniform(-50, 50))
    tint = rng.uniform(0.85, 1.15, 3)
    image = (image - 128) * contrast + 128 + brightness
    image = image * tint
    blur = rng.random() < 0.25
    if blur:
        image = cv2.GaussianBlur(image, (5, 5), float(rng.uniform(0.5, 1.5)))
    noise = float(rng.uniform(0, 12))
    image = image + rng.normal(0, noise, image.shape)
    recipe = (f"{face.name} on {background.name if composite else 'own background'} scale {scale:.2f} "
              f"angle {angle:.0f} flip {flip} contrast {contrast:.2f} brightness {brightness:.0f} "
              f"blur {blur} noise {noise:.1f}")
    return Scene(np.clip(image, 0, 255).round().astype(np.uint8), recipe)
