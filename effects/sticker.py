"""Head sticker: cartoon ears, a crown or a hat riding on each head, following roll and scale."""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects import assets
from magicbooth.effects.base import Effect
from magicbooth.effects.faces import Smoother, anchor
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb, wrap_rgba

DESIGNS = ("bunny", "cat", "crown", "tophat")


@functools.cache
def _sticker(design: str) -> tuple[pygame.Surface, np.ndarray]:
    """The sticker surface (kept alive with its pixels) — loaded once per design."""
    pixels = np.array(assets.image(f"sticker_{design}.png", alpha=True))
    return wrap_rgba(pixels), pixels


class Sticker(Effect):
    name = "sticker"
    title = "Head sticker (ears, crown, hat)"
    needs = frozenset({"faces"})

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        design: str = option("bunny", "Which sticker sits on the head.", choices=DESIGNS)
        scale: float = option(1.0, "Size relative to the design's natural size.", low=0.3, high=3.0)
        smoothing: float = option(0.5, "0 follows the face exactly; towards 1 moves more calmly.", low=0.0,
                                  high=0.95)

    def __init__(self, options: EffectOptions | None = None) -> None:
        super().__init__(options)
        self._smooth = Smoother(self.options.smoothing)
        self._spec = assets.stickers()[self.options.design]
        self._surface, _ = _sticker(self.options.design)

    def reset(self) -> None:
        self._smooth.reset()

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        blit_rgb(canvas, scene.frame.image)
        raw = [np.array([a.x, a.y, a.scale, a.roll]) for a in map(anchor, scene.faces)]
        for x, y, scale, roll in self._smooth.update(raw):
            self._draw(canvas, x, y, scale, roll)

    def placement(self, x: float, y: float, scale: float, roll: float) -> tuple[pygame.Surface, pygame.Rect]:
        """The rotated, scaled sticker and where it goes for a face anchored at (x, y)."""
        spec = self._spec
        sw, sh = self._surface.get_size()
        zoom = spec["width"] * scale * self.options.scale / sw
        up = np.array([math.sin(roll), -math.cos(roll)])
        ax, ay = np.array([x, y]) + up * spec["above"] * scale
        # Offset of the sticker centre from its anchor, rotated with the head.
        off = np.array([(0.5 - spec["anchor"][0]) * sw, (0.5 - spec["anchor"][1]) * sh]) * zoom
        c, s = math.cos(roll), math.sin(roll)
        centre = (ax + c * off[0] - s * off[1], ay + s * off[0] + c * off[1])
        img = pygame.transform.rotozoom(self._surface, -math.degrees(roll), zoom)
        return img, img.get_rect(center=(round(centre[0]), round(centre[1])))

    def _draw(self, canvas: pygame.Surface, x: float, y: float, scale: float, roll: float) -> None:
        if scale < 2:
            return
        img, rect = self.placement(x, y, scale, roll)
        canvas.blit(img, rect)
