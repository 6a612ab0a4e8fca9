"""Light between layers: light wrap, edge decontamination, contact shadows and haze.

Everything smooth is computed at a quarter of the frame size and scaled up once, so each costs
a few full-resolution passes (Google Meet's light wrap and the classic compositor's tools).

Usage::

    person = light_wrap(frame, backdrop, alpha, strength=0.6)     # backdrop light on the edge
    person = decontaminate(frame, alpha)                          # old wall colour out of the edge
    contact_shadow(back, (x, y), (w, h), strength=0.5)            # in place, under a layer's feet
    far = haze(monster_rgb, 0.25, colour)                         # distance
    foot = haze(far, mist(h, w, 0.5, 0.4), colour)                # ground mist, thicker lower down
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from magicbooth.effects.blending import blend

WORK = 4  # smooth maps are built at 1/WORK of the frame size (1/(2·WORK) for the wider light wrap)


def _small(image: np.ndarray, work: int = WORK) -> np.ndarray:
    return cv2.resize(image, thumbnail(image.shape, work), interpolation=cv2.INTER_AREA)


def thumbnail(shape: tuple[int, ...], work: int = 2 * WORK) -> tuple[int, int]:
    """(w, h) of the reduced copies the kit works on (by default the light wrap's, 1/8 of the frame)."""
    return max(shape[1] // work, 1), max(shape[0] // work, 1)


def _surround(image_small: np.ndarray, weight_small: np.ndarray, sigma: float,
              weighted: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(weighted local mean colour, local mean weight): the colour of what is around, ignoring weight 0.

    ``weighted`` says the image is already multiplied by the weight (it was masked at full size).
    """
    weighted_image = image_small.astype(np.float32)
    if not weighted:
        weighted_image *= weight_small[..., None]
    num = cv2.GaussianBlur(weighted_image, (0, 0), sigma)
    den = cv2.GaussianBlur(weight_small, (0, 0), sigma)
    colour = num / np.maximum(den, 1e-3)[..., None]
    return colour, den


def light_wrap(person: np.ndarray, back: np.ndarray, alpha: np.ndarray, strength: float = 0.6,
               radius: float = 0.02, reference: np.ndarray | None = None, *,
               small: tuple[np.ndarray | None, np.ndarray | None] = (None, None)) -> np.ndarray:
    """The person with the light of ``back`` spilling onto its edge (a new array).

    Strongest at the mask edge and fading over ``radius`` (fraction of the frame width) inside.
    The person's colour near the edge moves towards the light around it by a smooth offset, so
    their own detail stays sharp; the offset is built at a quarter size. With ``reference`` (the
    room as captured) only light that ``back`` adds over the room is wrapped, so a monster's glow
    reaches the person but an unchanged room adds nothing. ``small`` is (person, back) at
    ``thumbnail`` size when the caller already has them (a blur works there), saving a full-frame
    reduction each.
    """
    if strength <= 0:
        return person
    h, w = alpha.shape
    work = 2 * WORK
    solid = _small(alpha, work)
    inv = 1.0 - solid
    sigma = max(radius * w / work, 0.7)
    person_small, back_small = small
    colour, around = _surround(_small(back, work) if back_small is None else back_small, inv, sigma)
    amount = np.minimum(around * np.float32(2.0 * strength), 1.0)[..., None]  # full strength at the edge
    if reference is None:
        own, _ = _surround(_small(person, work) if person_small is None else person_small, solid, sigma)
        delta = (colour - own) * amount
    else:
        room, _ = _surround(_small(reference, work), inv, sigma)
        delta = np.maximum(colour - room, 0.0) * amount
    # Lighter and darker parts as two saturating 8-bit passes: far cheaper than one signed one.
    up = np.clip(np.round(delta), 0, 255).astype(np.uint8)
    down = np.clip(np.round(-delta), 0, 255).astype(np.uint8)
    out = person
    if up.any():
        out = cv2.add(out, cv2.resize(up, (w, h), interpolation=cv2.INTER_LINEAR))
    if down.any():
        out = cv2.subtract(out, cv2.resize(down, (w, h), interpolation=cv2.INTER_LINEAR))
    return out


def decontaminate(image: np.ndarray, alpha: np.ndarray, min_alpha: float = 0.1, *,
                  in_place: bool = False) -> np.ndarray:
    """The person's colour in the soft edge, with the old background's colour taken out.

    A half-transparent edge pixel is α·person + (1−α)·wall; the wall colour is estimated from the
    nearby background and removed, so the orange wall does not glow around a head on a new
    backdrop. Pixels where α is 0 or 1 are returned unchanged; only the edge's pixels are
    computed (a few thousand on a 640×480 frame). ``in_place`` writes into ``image`` instead of a copy.
    """
    band = cv2.inRange(alpha, 0.004, 0.996)
    points = cv2.findNonZero(band)
    if points is None:
        return image
    xs, ys = points.reshape(-1, 2).T
    h, w = alpha.shape
    # The wall is what surrounds the edge where there is no person at all: mixed edge pixels would
    # bring the person's own colour into the estimate.
    clear = cv2.inRange(alpha, -1.0, 0.004)
    seen = cv2.bitwise_and(image, image, mask=clear)
    share = _small(clear).astype(np.float32) * np.float32(1 / 255)
    wall, _ = _surround(_small(seen), share, max(0.01 * w / WORK, 0.7), weighted=True)
    sh, sw = wall.shape[:2]
    wall_at = wall[np.minimum(ys * sh // h, sh - 1), np.minimum(xs * sw // w, sw - 1)]
    a = alpha[ys, xs][:, None]
    fore = (image[ys, xs].astype(np.float32) - (1.0 - a) * wall_at) / np.maximum(a, min_alpha)
    out = image if in_place else np.array(image)
    out[ys, xs] = np.clip(fore, 0, 255).astype(np.uint8)
    return out


def contact_shadow(image: np.ndarray, centre: tuple[float, float], size: tuple[float, float],
                   strength: float = 0.5) -> None:
    """Darken a soft ellipse of ``size`` (w, h) around ``centre`` in place: where a layer meets the ground."""
    w, h = max(size[0], 2.0), max(size[1], 2.0)
    cx, cy = centre
    x0, x1 = int(max(cx - w, 0)), int(min(cx + w, image.shape[1]))
    y0, y1 = int(max(cy - h, 0)), int(min(cy + h, image.shape[0]))
    if x1 <= x0 or y1 <= y0 or strength <= 0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d2 = ((xx - cx) / (w / 2)) ** 2 + ((yy - cy) / (h / 2)) ** 2
    keep = 1.0 - strength * np.exp(-1.5 * d2)
    region = image[y0:y1, x0:x1]
    region[:] = cv2.multiply(region, cv2.merge([keep, keep, keep]), dtype=cv2.CV_8U)


def haze(rgb: np.ndarray, amount: float | np.ndarray, colour: tuple[float, float, float]) -> np.ndarray:
    """``rgb`` seen through air: blended ``amount`` towards the haze ``colour`` (a new array).

    ``amount`` is one number (0..1) for the whole layer, or an (H, W) float32 map for haze that
    varies over it, such as ground ``mist``.
    """
    flat = np.empty_like(rgb)
    flat[:] = np.clip(np.round(colour), 0, 255).astype(np.uint8)
    if isinstance(amount, np.ndarray):
        return blend(flat, rgb, amount)
    if amount <= 0:
        return rgb
    return cv2.addWeighted(rgb, 1.0 - amount, flat, amount, 0.0)


@functools.cache
def mist(height: int, width: int, start: float, amount: float) -> np.ndarray:
    """An (H, W) haze amount for ground mist over a layer: none above ``start`` (a fraction of its height),
    thickening smoothly to ``amount`` at its foot (read-only, cached per size)."""
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    t = np.clip((y - start) / max(1 - start, 1e-3), 0, 1)
    out = np.ascontiguousarray(np.broadcast_to(t * t * (3 - 2 * t) * np.float32(amount), (height, width)))
    out.flags.writeable = False
    return out
