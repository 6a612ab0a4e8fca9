"""Character face swap: the guest becomes a photographic character (Grace Hopper, Chelsea the cat).

The character's photo is warped onto the guest's head mesh from hairline to chin and ear to ear,
its colours moved to the guest's light, and blended in two bands so no seam shows; the guest's
own eyes and mouth show through, so blinking and talking read as the character's
(``effects.faceswap``). The pipeline draws the "AI effect" watermark on top.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects import characters
from magicbooth.effects.base import Effect
from magicbooth.effects.faceswap import FaceSwapper
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb


class Character(Effect["Character.Options"]):
    name = "character"
    title = "Face swap with a character (Grace Hopper, cat)"
    needs = frozenset({"faces", "mesh"})
    needs_face = True

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        character: str = option("hopper", "Whose face the guest wears.", choices=characters.CHARACTERS)
        opacity: float = option(1.0, "How strongly the character covers the face.", low=0.0, high=1.0)
        live_eyes: float = option(0.65, "How much the guest's own eyes and lids show (0 none, 1 wide).",
                                  low=0.0, high=1.0)

    def __init__(self, options: Character.Options | None = None) -> None:
        super().__init__(options)
        o = self.options
        self._source = characters.source(o.character)
        self._swapper = FaceSwapper(eyes=1.0 - o.live_eyes, strength=o.opacity)

    def reset(self) -> None:
        self._swapper.reset()

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        frame = scene.frame.image
        image = np.array(frame)
        self._swapper.paste_all(image, [(self._source, mesh.points) for mesh in scene.meshes], frame,
                                 light=self.light)
        blit_rgb(canvas, image)
