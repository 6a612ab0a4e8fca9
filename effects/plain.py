"""No effect: the camera picture as it is (the booth's idle look, and the pipeline baseline)."""

from __future__ import annotations

import pygame

from magicbooth.core.scene import Scene
from magicbooth.effects.base import Effect
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb


class Plain(Effect[EffectOptions]):
    name = "none"
    title = "No effect"
    needs = frozenset()

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        blit_rgb(canvas, scene.frame.image)
