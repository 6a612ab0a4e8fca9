"""Depth-ordered layers: the backdrop, art behind the person, the person, art in front.

A ``Stack`` is built per frame and flattened once. The person is the camera picture cut out by
the person mask (``Scene.mask``); when there is no new backdrop the room itself is the backdrop,
so art painted "behind" disappears behind the person exactly where the mask says.

Usage::

    stack = Stack(frame, scene.mask, backdrop=site)          # backdrop=None keeps the room
    stack.behind(Layer(monster_rgb, monster_alpha, x, y))     # hidden by the person
    stack.front(Layer(beam_rgb, beam_alpha))                  # drawn over everybody
    out = stack.flatten(light_wrap=0.6, harmonize=0.3)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.effects.blending import blend
from magicbooth.effects.compositing.grading import harmonize_person
from magicbooth.effects.compositing.light import decontaminate, light_wrap


@dataclass(frozen=True, slots=True)
class Layer:
    """Art placed with its top-left corner at (x, y) in frame pixels.

    ``rgb`` is H×W×3 uint8, ``alpha`` H×W float32 in 0..1 (straight, not premultiplied); the
    layer may hang over the frame's edges, only the part inside is drawn.
    """

    rgb: np.ndarray
    alpha: np.ndarray
    x: int = 0
    y: int = 0

    def __post_init__(self) -> None:
        if self.rgb.shape[:2] != self.alpha.shape[:2] or self.rgb.ndim != 3:
            raise ValueError(f"layer rgb {self.rgb.shape} and alpha {self.alpha.shape} differ in size")

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the whole layer in frame pixels."""
        return self.x, self.y, int(self.alpha.shape[1]), int(self.alpha.shape[0])

    def window(self, size: tuple[int, int]) -> tuple[tuple[slice, slice], tuple[slice, slice]] | None:
        """(frame slices, layer slices) of the part inside a (w, h) frame, or None if none is."""
        w, h = size
        lh, lw = self.alpha.shape[:2]
        x0, y0 = max(self.x, 0), max(self.y, 0)
        x1, y1 = min(self.x + lw, w), min(self.y + lh, h)
        if x1 <= x0 or y1 <= y0:
            return None
        return ((slice(y0, y1), slice(x0, x1)),
                (slice(y0 - self.y, y1 - self.y), slice(x0 - self.x, x1 - self.x)))


def paint(image: np.ndarray, layer: Layer, opacity: float = 1.0) -> None:
    """Alpha-blend ``layer`` onto ``image`` in place (only the overlapping window is touched)."""
    win = layer.window((image.shape[1], image.shape[0]))
    if win is None or opacity <= 0:
        return
    dst, src = win
    region = image[dst]
    alpha = np.ascontiguousarray(layer.alpha[src], np.float32)
    if opacity < 1:
        alpha = alpha * np.float32(opacity)
    region[:] = blend(layer.rgb[src], region, alpha)


class Stack:
    """One frame's layers in depth order; ``flatten`` draws them back to front.

    ``person`` is the 0..1 person mask at frame size (None: no mask, so nothing is in front of
    the behind layers). ``backdrop`` replaces the room behind the person (None keeps the room).
    """

    def __init__(self, frame: np.ndarray, person: np.ndarray | None, backdrop: np.ndarray | None = None, *,
                 small: tuple[np.ndarray | None, np.ndarray | None] = (None, None)) -> None:
        if person is not None and person.shape != frame.shape[:2]:
            raise ValueError(f"person mask {person.shape} is not the frame's size {frame.shape[:2]}")
        if backdrop is not None and backdrop.shape != frame.shape:
            raise ValueError(f"backdrop {backdrop.shape} is not the frame's size {frame.shape}")
        self.frame = frame
        self.person = person
        self.backdrop = backdrop
        # (frame, backdrop) reduced to ``light.thumbnail`` size, when the caller made them anyway (a blur).
        self.small = small
        self._behind: list[tuple[Layer, float]] = []
        self._front: list[tuple[Layer, float]] = []

    def behind(self, layer: Layer, opacity: float = 1.0) -> Stack:
        """Add art between the backdrop and the person (later calls are nearer the person)."""
        self._behind.append((layer, opacity))
        return self

    def front(self, layer: Layer, opacity: float = 1.0) -> Stack:
        """Add art over the person (later calls are nearer the viewer)."""
        self._front.append((layer, opacity))
        return self

    def scene_behind(self) -> np.ndarray:
        """The picture behind the person: the backdrop (or room) with the behind layers painted on it.

        Without behind layers this is the backdrop itself (not a copy): read it, do not draw on it.
        """
        back = self.frame if self.backdrop is None else self.backdrop
        if self._behind:
            back = np.array(back)
            for layer, opacity in self._behind:
                paint(back, layer, opacity)
        return back

    def flatten(self, *, light_wrap: float = 0.0, harmonize: float = 0.0, wrap_radius: float = 0.02,
                out: np.ndarray | None = None) -> np.ndarray:
        """The finished picture.

        ``light_wrap`` (0..1) lets what is behind the person spill light onto the person's edge;
        ``harmonize`` (0..1) moves the person's colour cast and brightness towards the new backdrop
        and removes the old room's colour from the soft edge. Both only act on a new backdrop or
        behind layers; at 0 the person is plain alpha blending, exactly as captured where the mask is 1.
        ``wrap_radius`` is the light wrap's reach as a fraction of the frame width.
        """
        if self.person is not None and self.backdrop is None and self._behind and light_wrap <= 0:
            image = self._room_kept()
            if out is not None:
                image = _copy_into(out, image)
            for layer, opacity in self._front:
                paint(image, layer, opacity)
            return image
        back = self.scene_behind()
        if self.person is None:
            image = back if back is not self.frame and back is not self.backdrop else np.array(back)
            if out is not None:
                out[:] = image
                image = out
        else:
            alpha = np.ascontiguousarray(self.person, np.float32)
            person = self.frame
            replaced = self.backdrop is not None
            if harmonize > 0 and replaced:
                graded = harmonize_person(person, alpha, back, harmonize)
                person = decontaminate(graded, alpha, in_place=graded is not self.frame)
            wrapped = light_wrap > 0 and (replaced or self._behind)
            if wrapped:
                small = (self.small[0] if person is self.frame else None, self.small[1] if not self._behind else None)
                person = _light_wrap(person, back, alpha, light_wrap, wrap_radius, self.frame, replaced, small)
            if replaced or not self._behind:
                image = blend(person, back, alpha, out=out)
            else:
                # Room kept: away from the art (and its wrapped light) person and back are both the
                # frame, so the person is laid back over the art's windows only.
                image = back if out is None else _copy_into(out, back)
                reach = int(np.ceil(4 * wrap_radius * self.frame.shape[1])) + 8 if wrapped else 0
                x0, y0, x1, y1 = self._art_box(reach)
                if x1 > x0 and y1 > y0:
                    win = (slice(y0, y1), slice(x0, x1))
                    image[win] = blend(person[win], back[win], alpha[win])
        for layer, opacity in self._front:
            paint(image, layer, opacity)
        return image


    def _room_kept(self) -> np.ndarray:
        """The room with the behind layers painted where the person is not, in one blend per layer.

        Laying the person (alpha p) over art (alpha a) on the room is the same as painting the art with
        alpha a·(1 − p): one pass over each layer's window instead of two.
        """
        assert self.person is not None
        image = np.array(self.frame)
        h, w = image.shape[:2]
        for layer, opacity in self._behind:
            win = layer.window((w, h))
            if win is None or opacity <= 0:
                continue
            dst, src = win
            alpha = cv2.multiply(np.ascontiguousarray(layer.alpha[src], np.float32),
                                 1.0 - self.person[dst], scale=opacity)
            image[dst] = blend(layer.rgb[src], image[dst], alpha)
        return image

    def _art_box(self, grow: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1): the frame part the behind layers touch, grown by ``grow`` pixels."""
        h, w = self.frame.shape[:2]
        x0, y0, x1, y1 = w, h, 0, 0
        for layer, _ in self._behind:
            win = layer.window((w, h))
            if win is not None:
                ys, xs = win[0]
                x0, y0, x1, y1 = min(x0, xs.start), min(y0, ys.start), max(x1, xs.stop), max(y1, ys.stop)
        return max(x0 - grow, 0), max(y0 - grow, 0), min(x1 + grow, w), min(y1 + grow, h)


def _copy_into(out: np.ndarray, image: np.ndarray) -> np.ndarray:
    out[:] = image
    return out


def _light_wrap(person: np.ndarray, back: np.ndarray, alpha: np.ndarray, strength: float, radius: float,
                frame: np.ndarray, replaced: bool,
                small: tuple[np.ndarray | None, np.ndarray | None] = (None, None)) -> np.ndarray:
    """Wrap the light of what changed behind the person only (the room's own light is already there)."""
    if replaced:
        return light_wrap(person, back, alpha, strength, radius, small=small)
    # Room kept: only inserted art differs from the frame; wrap its light alone, so an untouched
    # room adds nothing. The added light is what the art contributes over the room.
    return light_wrap(person, back, alpha, strength, radius, reference=frame)
