"""Colour harmonisation: make one layer look shot in the same light as another.

A ``Look`` is a picture's colour cast, brightness, contrast and sensor noise, measured on a
thumbnail (noise on a full-resolution crop). A ``Grade`` is a per-channel tone curve, applied
as one lookup table pass, that moves one look part of the way to another. Two uses:

- the person onto a new backdrop: their white balance and brightness move towards the
  backdrop's (``harmonize_person``);
- inserted art into the camera picture: the art takes the room's colour cast, brightness,
  contrast and grain but keeps its own colours (``match_art``).

Usage::

    room = measure(frame)                                   # once per frame
    monster = match_art(sprite_rgb, sprite_alpha, room, t=t)
    person = harmonize_person(frame, mask, backdrop, strength=0.3)
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

import cv2
import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # Rec. 601, as OpenCV's RGB2GRAY
THUMB_WIDTH = 80
MAX_CAST = 0.2        # white balance never moves a channel more than ±20 %
GRAIN_TILE = 128
GRAIN_ONE = 16.0      # the grain field's fixed point: 16 is one grey level


@dataclass(frozen=True, slots=True)
class Look:
    """How a picture (or the weighted part of one) is lit: values in 0..255 levels."""

    mean: tuple[float, float, float]   # mean R, G, B
    luma: float                        # mean luminance
    contrast: float                    # standard deviation of luminance
    noise: float = 0.0                 # sensor noise sigma (0 unless measured)

    @property
    def cast(self) -> np.ndarray:
        """Each channel's mean over the luminance: (1, 1, 1) is neutral grey-world light."""
        return np.asarray(self.mean, np.float32) / max(self.luma, 1.0)


def measure(image: np.ndarray, weight: np.ndarray | None = None, *, noise: bool = False) -> Look:
    """The look of ``image``, or of its part where ``weight`` (0..1; the image's size, or already reduced to
    any size with the same aspect) is high."""
    h, w = image.shape[:2]
    tw = min(THUMB_WIDTH, w)
    size = (tw, max(1, round(h * tw / w)))
    thumb = cv2.resize(image, size, interpolation=cv2.INTER_AREA).reshape(-1, 3).astype(np.float32)
    wt: np.ndarray
    if weight is None:
        wt = np.ones(len(thumb), np.float32)
    else:
        wt = cv2.resize(np.asarray(weight, np.float32), size, interpolation=cv2.INTER_AREA).reshape(-1)
    total = float(wt.sum())
    if total < 1e-3:  # nothing selected: a neutral mid-grey look, so grades become identity-like
        return Look((128.0, 128.0, 128.0), 128.0, 50.0, noise_sigma(image) if noise else 0.0)
    mean = (thumb * wt[:, None]).sum(0) / total
    luma_px = thumb @ LUMA
    luma = float((luma_px * wt).sum() / total)
    contrast = float(np.sqrt(max(((luma_px - luma) ** 2 * wt).sum() / total, 1.0)))
    return Look((float(mean[0]), float(mean[1]), float(mean[2])), luma, contrast,
                noise_sigma(image) if noise else 0.0)


def noise_sigma(image: np.ndarray, crop: int = 160) -> float:
    """Sensor noise of a picture in grey levels (Immerkær's fast estimate on a central crop)."""
    h, w = image.shape[:2]
    c = min(crop, h, w)
    y0, x0 = (h - c) // 2, (w - c) // 2
    part = image[y0:y0 + c, x0:x0 + c]                  # the crop first: converting the whole frame was waste
    grey = part if part.ndim == 2 else cv2.cvtColor(part, cv2.COLOR_RGB2GRAY)
    patch = np.ascontiguousarray(grey, np.float32)
    if c < 3:
        return 0.0
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    residual = np.abs(cv2.filter2D(patch, -1, kernel)[1:-1, 1:-1])
    # Edges also answer the kernel; the median over the crop ignores them where a mean would not.
    return float(np.median(residual) * np.sqrt(np.pi / 2) / 6 * 1.48)


@dataclass(frozen=True, slots=True)
class Grade:
    """A per-channel tone curve: ``((v - pivot) * contrast + pivot) * brightness * gain[c]``, then seen
    through ``haze`` (0..1) of the colour ``air`` (the same as ``light.haze``, in the same table pass)."""

    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    brightness: float = 1.0
    contrast: float = 1.0
    pivot: float = 128.0
    haze: float = 0.0
    air: tuple[float, float, float] = (128.0, 128.0, 128.0)

    @property
    def lut(self) -> np.ndarray:
        """The curve as a (256, 1, 3) uint8 lookup table for ``cv2.LUT``."""
        v = np.arange(256, dtype=np.float32)
        tone = ((v - self.pivot) * self.contrast + self.pivot) * self.brightness
        table = tone[:, None] * np.asarray(self.gain, np.float32)[None, :]
        if self.haze > 0:
            table = np.clip(table, 0, 255) * (1 - self.haze) + np.asarray(self.air, np.float32)[None, :] * self.haze
        return np.clip(np.round(table), 0, 255).astype(np.uint8).reshape(256, 1, 3)

    @property
    def is_identity(self) -> bool:
        return bool(np.array_equal(self.lut[:, 0, :], np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, 1)))

    def apply(self, image: np.ndarray) -> np.ndarray:
        """The graded image (a new array; one table lookup per pixel)."""
        return cv2.LUT(image, self.lut)

    @classmethod
    def between(cls, src: Look, dst: Look, strength: float, *, keep_colours: bool = False,
                brightness: float = 1.0, contrast: float = 1.0) -> Grade:
        """The grade moving ``src`` a fraction ``strength`` (0..1) of the way to ``dst``.

        ``keep_colours`` is for art whose own colours are meant (a green monster stays green): it
        takes on ``dst``'s colour cast instead of matching its mean colour. ``brightness`` and
        ``contrast`` scale how much of those differences is taken.
        """
        s = float(np.clip(strength, 0.0, 1.0))
        ratio = dst.cast if keep_colours else dst.cast / np.maximum(src.cast, 1e-3)
        gain = np.clip(ratio, 1 - MAX_CAST, 1 + MAX_CAST) ** s
        gain = gain / float(gain @ LUMA)  # white balance only: luminance is the brightness term's job
        bright = float(np.clip(dst.luma / max(src.luma, 1.0), 0.5, 2.0) ** (s * brightness))
        cont = float(np.clip(dst.contrast / max(src.contrast, 1.0), 0.6, 1.6) ** (s * contrast))
        return cls((float(gain[0]), float(gain[1]), float(gain[2])), bright, cont, src.luma)


def harmonize_person(frame: np.ndarray, alpha: np.ndarray, backdrop: np.ndarray, strength: float = 0.3) -> np.ndarray:
    """The camera picture graded so the person (where ``alpha``) sits in the backdrop's light.

    White balance moves ``strength`` of the way; brightness and contrast half as far (a person
    keeps more of their own exposure and modelling than of a photo's).
    """
    if strength <= 0:
        return frame
    grade = Grade.between(measure(frame, alpha), _look_of(backdrop), strength, brightness=0.5, contrast=0.5)
    return frame if grade.is_identity else grade.apply(frame)


_LOOKS: dict[tuple[int, int, tuple[int, ...]], Look] = {}


def _look_of(image: np.ndarray) -> Look:
    """``measure(image)``, remembered for read-only images (a backdrop fitted once and reused every frame)."""
    if image.flags.writeable:
        return measure(image)
    key = (id(image), image.__array_interface__["data"][0], image.shape)
    if key not in _LOOKS:
        if len(_LOOKS) > 16:
            _LOOKS.clear()
        _LOOKS[key] = measure(image)
    return _LOOKS[key]


def match_art(rgb: np.ndarray, alpha: np.ndarray, room: Look, strength: float = 0.7, *,
              grain: bool = True, phase: int = 0, art: Look | None = None, exposure: float = 1.0,
              haze: float = 0.0, air: tuple[float, float, float] = (128.0, 128.0, 128.0),
              mist: np.ndarray | None = None, bands: int = 12) -> np.ndarray:
    """Art as if the camera had filmed it: the room's cast, brightness, contrast and grain.

    ``room`` is ``measure(frame, noise=True)``; ``phase`` (a frame counter) moves the grain so it
    lives like sensor noise instead of sticking to the art. ``art`` is the art's own look when it
    is known (measured once on the whole sprite, so a part cut by the frame edge keeps the grade
    of the whole; its ``luma`` is the scene brightness the art was made for, so a dark monster
    can stay dark in a bright room); by default it is measured on ``rgb`` where ``alpha``.
    ``exposure`` scales how much of the brightness difference is taken (1 all of ``strength``).
    ``haze`` (0..1) of the colour ``air`` puts distance between the art and the camera, in the same
    table pass (``light.haze`` does it as a separate pass, or with an amount that varies).
    ``mist`` ((H,) 0..1 per row of ``rgb``) thickens that haze row by row, in ``bands`` flat steps, still in
    the one table pass (a cheaper, stepped ``light.mist``).
    """
    art = measure(rgb, alpha) if art is None else art
    grade = Grade.between(art, room, strength, keep_colours=True, brightness=exposure, contrast=0.6)
    if haze > 0:
        grade = dataclasses.replace(grade, haze=float(haze), air=air)
    out = grade.apply(rgb) if mist is None else _misted(rgb, grade, mist, air, bands)
    if grain and room.noise > 0.5:
        out = add_grain(out, room.noise, phase)
    return out


def _misted(rgb: np.ndarray, grade: Grade, mist: np.ndarray, air: tuple[float, float, float],
            bands: int) -> np.ndarray:
    """``grade.apply(rgb)`` seen through ``mist`` more haze of ``air`` per row, in up to ``bands`` flat bands."""
    out = np.empty_like(rgb)
    rows = np.flatnonzero(mist > 0.004)
    top = int(rows[0]) if len(rows) else len(mist)
    if top:
        cv2.LUT(rgb[:top], grade.lut, dst=out[:top])
    edges = np.unique(np.linspace(top, len(mist), bands + 1).round().astype(int))
    for a, b in itertools.pairwise(edges):
        k = float(mist[(a + b) // 2])
        band = dataclasses.replace(grade, haze=1 - (1 - grade.haze) * (1 - k), air=air)
        cv2.LUT(rgb[a:b], band.lut, dst=out[a:b])
    return out


@functools.cache
def _grain_tile() -> np.ndarray:
    return np.random.default_rng(20261203).standard_normal((GRAIN_TILE, GRAIN_TILE)).astype(np.float32)


def add_grain(rgb: np.ndarray, sigma: float, phase: int = 0) -> np.ndarray:
    """``rgb`` with luminance grain of ``sigma`` grey levels (a new array); ``phase`` shifts the pattern.

    One weighted add of a ready 16-bit grain field (unit sigma in 1/16 levels, tiled once per size):
    no float copy of the picture per frame, and no new field when the room's noise changes.
    """
    if sigma <= 0:
        return rgb
    h, w = rgb.shape[:2]
    field = _grain_field(-(-h // GRAIN_TILE) + 1, -(-w // GRAIN_TILE) + 1)
    oy, ox = (phase * 37) % GRAIN_TILE, (phase * 61) % GRAIN_TILE
    return cv2.addWeighted(rgb, 1.0, field[oy:oy + h, ox:ox + w], sigma / GRAIN_ONE, 0.0, dtype=cv2.CV_8U)


@functools.lru_cache(maxsize=4)
def _grain_field(rows: int, cols: int) -> np.ndarray:
    """The grain tile repeated (rows, cols) times, unit sigma in 1/``GRAIN_ONE`` levels, as int16 RGB (read-only)."""
    noise = np.round(np.tile(_grain_tile(), (rows, cols)) * np.float32(GRAIN_ONE)).astype(np.int16)
    field = np.ascontiguousarray(np.repeat(noise[..., None], 3, axis=2))
    field.flags.writeable = False
    return field
