"""Augmented 640x480 scenes with people: scale, rotation, crop, flip, light, noise, composites.

A scene places one of the face photos, cut out with the float segmentation
mask, onto a background at a random scale, angle and position, or keeps the
photo's own background; then varies brightness, contrast, colour, blur and
noise. Everything is driven by one seeded generator, so the set is identical
on every run.
"""

from __future__ import annotations

import dataclasses
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
    draw: Draw | None = None  # its random choices (None for a photo as shipped)


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


@dataclass(frozen=True)
class Draw:
    """The random choices behind one composed scene, so it can be drawn again at another face size."""

    face: str
    background: str
    composite: bool
    scale: float
    angle: float
    flip: bool
    centre: tuple[float, float]
    contrast: float
    brightness: float
    tint: np.ndarray
    blur: float  # Gaussian sigma, 0 for none
    noise: float

    @property
    def recipe(self) -> str:
        return (f"{self.face} on {self.background if self.composite else 'own background'} scale {self.scale:.2f} "
                f"angle {self.angle:.0f} flip {self.flip} contrast {self.contrast:.2f} brightness "
                f"{self.brightness:.0f} blur {bool(self.blur)} noise {self.noise:.1f}")


def _compose(rng: np.random.Generator, face: Photo, alpha: np.ndarray, background: Photo) -> Scene:
    height = SCENE_SIZE[1]
    composite = rng.random() < 0.7
    scale = float(rng.uniform(0.35, 1.25)) * height / face.image.shape[0]
    angle = float(rng.uniform(-25, 25))
    flip = bool(rng.random() < 0.5)
    centre = (float(rng.uniform(0.3, 0.7) * SCENE_SIZE[0]), float(rng.uniform(0.35, 0.75) * height))
    contrast = float(rng.uniform(0.6, 1.4))
    brightness = float(rng.uniform(-50, 50))
    tint = rng.uniform(0.85, 1.15, 3)
    blur = float(rng.uniform(0.5, 1.5)) if rng.random() < 0.25 else 0.0
    noise = float(rng.uniform(0, 12))
    draw = Draw(face.name, background.name, composite, scale, angle, flip, centre, contrast, brightness, tint, blur,
                noise)
    return Scene(render(draw, face, alpha, background, rng), draw.recipe, draw)


def placement(draw: Draw, face: Photo) -> np.ndarray:
    """The 2x3 affine matrix that puts ``face``'s photo (flipped as drawn) into the scene."""
    matrix = cv2.getRotationMatrix2D((face.image.shape[1] / 2, face.image.shape[0] / 2), draw.angle, draw.scale)
    matrix[:, 2] += (draw.centre[0] - face.image.shape[1] / 2, draw.centre[1] - face.image.shape[0] / 2)
    return matrix


def render(draw: Draw, face: Photo, alpha: np.ndarray, background: Photo, noise: np.random.Generator) -> np.ndarray:
    """The scene ``draw`` describes; ``noise`` supplies the sensor noise."""
    width, height = SCENE_SIZE
    source = face.image[:, ::-1] if draw.flip else face.image
    mask = alpha[:, ::-1] if draw.flip else alpha
    matrix = placement(draw, face)
    warped = cv2.warpAffine(np.ascontiguousarray(source), matrix, (width, height), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REFLECT)
    if draw.composite:
        weight = cv2.warpAffine(np.ascontiguousarray(mask), matrix, (width, height), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT)[:, :, None]
        image = warped * weight + _fit(background.image) * (1 - weight)
    else:
        image = warped.astype(np.float32)
    image = (image - 128) * draw.contrast + 128 + draw.brightness
    image = image * draw.tint
    if draw.blur:
        image = cv2.GaussianBlur(image, (5, 5), draw.blur)
    image = image + noise.normal(0, draw.noise, image.shape)
    return np.clip(image, 0, 255).round().astype(np.uint8)


# Small faces: the composed scenes drawn again with the face this many pixels wide (24-48 px in a 640x480
# frame is a guest 1-4 m from a wide-angle camera), for the full-range detector.
SMALL_FACE_PX = (24.0, 48.0)
FaceBox = Callable[[np.ndarray], np.ndarray]  # RGB photo -> its face box x_min, y_min, x_max, y_max in pixels


@dataclass(frozen=True)
class SmallFace:
    """A scene whose face was made small, and where that face is (its detector box, moved with the photo)."""

    image: np.ndarray
    centre: tuple[float, float]
    width: float
    recipe: str


class Rescaler:
    """Draws a composed scene again with the face ``SMALL_FACE_PX`` wide (same background, angle, light)."""

    def __init__(self, split: str, matte: Matte, face_box: FaceBox) -> None:
        names = HELD_OUT_BACKGROUNDS if split == "held_out" else CALIBRATION_BACKGROUNDS
        self._backgrounds = {n: load_photo(n) for n in names}
        self._faces = {n: load_photo(n) for n in FACE_SOURCES}
        self._alphas = {n: matte(f.image) for n, f in self._faces.items()}
        self._boxes = {n: np.asarray(face_box(f.image), np.float64) for n, f in self._faces.items()}

    def __call__(self, draw: Draw, rng: np.random.Generator) -> SmallFace:
        face = self._faces[draw.face]
        box = self._boxes[draw.face].copy()
        if draw.flip:
            box[[0, 2]] = face.image.shape[1] - box[[2, 0]]
        width_px = float(rng.uniform(*SMALL_FACE_PX))
        small = dataclasses.replace(draw, scale=width_px / float(box[2] - box[0]), composite=True)
        centre = placement(small, face) @ np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 1.0])
        image = render(small, face, self._alphas[draw.face], self._backgrounds[draw.background], rng)
        return SmallFace(image, (float(centre[0]), float(centre[1])), width_px,
                         f"{small.recipe} face {width_px:.0f} px")
