"""Live thumbnails for the effect carousel: every effect's look on the guest, right now.

The current effect's thumbnail is a crop of the picture it has just drawn (free). The
others are drawn by their own instances (``EffectCarousel.spawn``) on a half-size copy
of the frame with the scene scaled to match, one effect at a time, stalest first, within
a CPU budget: after an effect that took ``c`` seconds, the next one waits ``c / budget``
(``budget`` = 0.03 is 30 ms of drawing per second, about 1 ms per frame at 30 fps). Cheap
effects so refresh several times a second, expensive ones about once a second. So that
no single frame stalls, an effect whose thumbnail took longer than ``spike_ms`` is drawn
smaller next time (down to a quarter of the frame's size); one still too slow there is
not redrawn in the background at all, and keeps the look it had when it was current.

Half size keeps each effect's whole composition (a monster beside the guest, a new
background) and its pixel-tuned filters close to how they look full size; drawing on a
tiny crop would not. Perception computes only what the current effect needs, so an effect
that needs more (a mask, a mesh) is redrawn only while the scene has it: until then its
last drawing stays, or its symbol before it ever had one. The attract loop makes every
effect current in turn, so each gets its real look; a thumbnail older than ``max_age_s``
goes back to the symbol (no guest lingers in the carousel). A thumbnail that raises is
logged once and shown as a plain symbol.

Usage::

    thumbs = Thumbnails(carousel, mirror=True)
    thumbs.update(work, now)          # each frame, in attract
    thumbs.square("sticker")          # 160×160 RGB, or None before its first drawing
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import cv2
import numpy as np

from magicbooth.core.frames import Frame
from magicbooth.core.scene import Face, FaceMesh, Scene
from magicbooth.effects.base import Effect
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.effects.surface import blit_rgb, new_canvas, read_rgb
from magicbooth.pipeline.flow import FramePass

log = logging.getLogger(__name__)

SIDE = 160
HALF = 0.5          # thumbnails are drawn on the frame at this scale...
SMALLEST = 0.24     # ...and never below a quarter (an effect too slow there keeps its look from when it was current)


def scaled_scene(scene: Scene, image: np.ndarray, s: float) -> Scene:
    """``scene`` for ``image``, the frame scaled by ``s`` (faces, keypoints, meshes and mask follow)."""
    faces = tuple(Face((f.box[0] * s, f.box[1] * s, f.box[2] * s, f.box[3] * s), f.score,
                       {k: (x * s, y * s) for k, (x, y) in f.keypoints.items()}) for f in scene.faces)
    meshes = tuple(FaceMesh(m.points * np.float32(s), m.presence) for m in scene.meshes)
    mask = None
    if scene.mask is not None:
        mask = cv2.resize(scene.mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_AREA)
    frame = Frame(image, scene.frame.t, scene.frame.index)
    return Scene(frame, faces, meshes, mask)


def square_around_face(size: tuple[int, int], scene: Scene | None) -> tuple[int, int, int]:
    """(x, y, side) of the square crop a thumbnail shows: head and shoulders of the largest face, else the middle."""
    w, h = size
    short = min(w, h)
    side = round(short * 0.6)
    cx, cy = w / 2, h / 2
    if scene is not None and scene.faces:
        x, y, fw, fh = max(scene.faces, key=lambda f: f.box[2] * f.box[3]).box
        side = round(min(short, max(0.45 * short, 3.0 * max(fw, fh))))
        cx, cy = x + fw / 2, y + fh / 2 - 0.08 * side    # a little headroom: ears, hats, crowns
    x0 = int(min(max(cx - side / 2, 0), w - side))
    y0 = int(min(max(cy - side / 2, 0), h - side))
    return x0, y0, side


class Thumbnails:
    """Square RGB thumbnails (``SIDE`` px) of each carousel effect, kept fresh by ``update``."""

    def __init__(self, carousel: EffectCarousel, *, mirror: bool, budget: float = 0.03,
                 current_every_s: float = 0.1, max_age_s: float = 120.0, spike_ms: float = 4.0,
                 timer: Callable[[], float] = time.perf_counter) -> None:
        self._carousel = carousel
        self._spike = spike_ms / 1000.0
        self._scale: dict[str, float] = {}
        self._max_age = max_age_s
        self._now = 0.0
        self._mirror = mirror
        self._budget = budget
        self._current_every = current_every_s
        self._timer = timer
        self._effects: dict[str, Effect] = {}
        self._squares: dict[str, np.ndarray] = {}
        self._versions: dict[str, int] = {}
        self._stamps: dict[str, float] = {}
        self._failed: set[str] = set()
        self._next_current = float("-inf")
        self._next_other = float("-inf")
        self.last_ms = 0.0

    def square(self, name: str) -> np.ndarray | None:
        """The thumbnail of effect ``name`` (RGB, ``SIDE``×``SIDE``), or None before it has a fresh one."""
        if self._now - self._stamps.get(name, float("-inf")) > self._max_age:
            return None
        return self._squares.get(name)

    def version(self, name: str) -> int:
        """Changes whenever ``name``'s thumbnail is redrawn (the screens cache the round cut-out by it)."""
        return self._versions.get(name, 0)

    def update(self, work: FramePass, now: float) -> None:
        """Refresh the current effect's thumbnail from the drawn picture, and maybe one other effect's."""
        began = self._timer()
        self._now = now
        current = self._carousel.name
        if now >= self._next_current:
            x, y, side = square_around_face(work.frame.size, work.scene)
            self._store(current, work.image[y:y + side, x:x + side], now)
            self._next_current = now + self._current_every
        if now >= self._next_other:
            name = self._stalest(current)
            if name is not None:
                drew = self._timer()
                self._draw(name, work, now)
                self._next_other = now + max(0.05, (self._timer() - drew) / self._budget)
        self.last_ms = (self._timer() - began) * 1000.0

    def _stalest(self, current: str) -> str | None:
        """The effect drawn longest ago among those the current scene can draw (its needs are computed)."""
        computed = self._carousel.needs_of(current)
        others = [n for n in self._carousel.names if n != current and n not in self._failed
                  and self._carousel.needs_of(n) <= computed and self._scale.get(n, HALF) >= SMALLEST]
        return min(others, key=lambda n: self._stamps.get(n, float("-inf"))) if others else None

    def _draw(self, name: str, work: FramePass, now: float) -> None:
        frame = work.frame
        w, h = frame.size
        scale = self._scale.get(name, HALF)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA)
        scene = work.scene if work.scene is not None else Scene(frame)
        half = scaled_scene(scene, small, small.shape[1] / w)
        began = self._timer()
        try:
            effect = self._effects.get(name) or self._effects.setdefault(name, self._carousel.spawn(name))
            canvas = new_canvas((small.shape[1], small.shape[0]))
            blit_rgb(canvas, small)
            effect.render(canvas, half, frame.t)
            drawn = read_rgb(canvas)
            took = self._timer() - began
            if took > self._spike:      # smaller next time, so no frame stalls (too slow even then: not redrawn)
                self._scale[name] = scale * 0.7
                log.info("thumbnail of %r took %.1f ms; drawing it at %.0f%% of the frame from now on",
                         name, took * 1000, 100 * scale * 0.7)
        except Exception as exc:  # a thumbnail never stops the booth: a plain symbol instead, cause in the log
            log.warning("thumbnail of effect %r failed, showing its symbol instead: %s", name, exc, exc_info=exc)
            self._failed.add(name)
            return
        x, y, side = square_around_face((small.shape[1], small.shape[0]), half)
        self._store(name, drawn[y:y + side, x:x + side], now)

    def _store(self, name: str, square: np.ndarray, now: float) -> None:
        step = max(1, square.shape[0] // (2 * SIDE))       # skip pixels first: area-averaging a big crop is slow
        thumb = cv2.resize(np.ascontiguousarray(square[::step, ::step]), (SIDE, SIDE), interpolation=cv2.INTER_AREA)
        self._squares[name] = np.ascontiguousarray(thumb[:, ::-1]) if self._mirror else thumb
        self._versions[name] = self._versions.get(name, 0) + 1
        self._stamps[name] = now
