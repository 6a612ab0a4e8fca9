"""Light between layers: light wrap, edge decontamination, contact shadows and haze.

Everything smooth is computed at a quarter of the frame size and scaled up once, so each costs
a few full-resolution passes (Google Meet's light wrap and the classic compositor's tools).

Usage::

    person = light_wrap(frame, backdrop, alpha, strength=0.6)     # backdrop light on the edge
    person = decontaminate(frame, alpha)                          # old wall colour out of the edge
    contact_shadow(back, (x, y), (w, h), strength=0.5)            # in place, under a layer's feet
    far = haze(monster_rgb, 0.25, colour)                         # distance
"""

from __future__ import annotations

import cv2
import numpy as np

WORK = 4  # smooth maps are built at 1/WORK of the frame size


def _small(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    return cv2.resize(image, (max(w // WORK, 1), max(h // WORK, 1)), interpolation=cv2.INTER_AREA)


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
               radius: float = 0.02, reference: np.ndarray | None = None) -> np.ndarray:
    """The person with the light of ``back`` spilling onto its edge (a new array).

    Strongest at the mask edge and fading over ``radius`` (fraction of the frame width) inside.
    With ``reference`` (the room as captured) only light ``back`` adds over the room is wrapped,
    so a monster's glow reaches the person but the unchanged room adds nothing.
    """
    if strength <= 0:
        return person
    h, w = alpha.shape
    inv = cv2.subtract(1.0, _small(alpha))
    sigma = max(radius * w / WORK, 0.7)
    colour, around = _surround(_small(back), inv, sigma)
    amount = np.minimum(around * (2.0 * strength), 1.0)  # full strength right at the edge (around = 0.5)
    if reference is None:
        wrap = cv2.resize(np.clip(colour, 0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
        k = cv2.resize(amount, (w, h), interpolation=cv2.INTER_LINEAR)
        return cv2.blendLinear(wrap, person, k, cv2.subtract(1.0, k))
    room, _ = _surround(_small(reference), inv, sigma)
    spill = np.clip((colour - room) * amount[..., None], 0, 255).astype(np.uint8)
    if not spill.any():
        return person
    return cv2.add(person, cv2.resize(spill, (w, h), interpolation=cv2.INTER_LINEAR))


def decontaminate(image: np.ndarray, alpha: np.ndarray, min_alpha: float = 0.1) -> np.ndarray:
    """The person's colour in the soft edge, with the old background's colour taken out.

    A half-transparent edge pixel is α·person + (1−α)·wall; the wall colour is estimated from the
    nearby background and removed, so the orange wall does not glow around a head on a new
    backdrop. Pixels where α is 0 or 1 are returned unchanged.
    """
    band = (alpha > 0.004) & (alpha < 0.996)
    if not band.any():
        return image
    ys, xs = np.nonzero(band.any(axis=1))[0], np.nonzero(band.any(axis=0))[0]
    y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    h, w = alpha.shape
    # The wall is what surrounds the edge where there is no person at all: mixed edge pixels would
    # bring the person's own colour into the estimate.
    clear = (alpha <= 0.004).view(np.uint8)
    seen = cv2.bitwise_and(image, image, mask=clear)
    wall, _ = _surround(_small(seen), _small(clear.astype(np.float32)), max(0.01 * w / WORK, 0.7), weighted=True)
    wall = cv2.resize(wall, (w, h), interpolation=cv2.INTER_LINEAR)[y0:y1, x0:x1]
    a = alpha[y0:y1, x0:x1, None]
    rows = image[y0:y1, x0:x1].astype(np.float32)
    fore = (rows - (1.0 - a) * wall) / np.maximum(a, min_alpha)
    inside = band[y0:y1, x0:x1]
    out = np.array(image)
    out[y0:y1, x0:x1][inside] = np.clip(fore[inside], 0, 255).astype(np.uint8)
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


def haze(rgb: np.ndarray, amount: float, colour: tuple[float, float, float]) -> np.ndarray:
    """``rgb`` seen through air: blended ``amount`` (0..1) towards the haze ``colour`` (a new array)."""
    if amount <= 0:
        return rgb
    flat = np.empty_like(rgb)
    flat[:] = np.clip(np.round(colour), 0, 255).astype(np.uint8)
    return cv2.addWeighted(rgb, 1.0 - amount, flat, amount, 0.0)
