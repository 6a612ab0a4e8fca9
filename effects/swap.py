"""Two guests swap faces: each wears the other's face, warped onto their own head mesh.

Faces pair up left to right (first with second, third with fourth); an odd one out keeps their
own face. The sources are cut from the camera frame itself, so both faces are live: each
guest's face moves with the other's expressions, while their own eyes and mouth show through.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pygame

from magicbooth.core.config import option
from magicbooth.core.scene import Scene
from magicbooth.effects.base import Effect
from magicbooth.effects.faces import head_layout
from magicbooth.effects.faceswap import FaceSource, FaceSwapper
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb


class Swap(Effect["Swap.Options"]):
    name = "swap"
    title = "Face swap between two guests"
    needs = frozenset({"faces", "mesh"})
    needs_face = True

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        opacity: float = option(1.0, "How strongly each face covers the other.", low=0.0, high=1.0)
        live_eyes: float = option(0.65, "How much each guest's own eyes and lids show (0 none, 1 wide).",
                                  low=0.0, high=1.0)

    def __init__(self, options: Swap.Options | None = None) -> None:
        super().__init__(options)
        self._swapper = FaceSwapper(eyes=1.0 - self.options.live_eyes, strength=self.options.opacity)

    def reset(self) -> None:
        self._swapper.reset()

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        frame = scene.frame.image
        meshes = sorted(scene.meshes, key=lambda m: float(m.points[:, 0].mean()))
        if len(meshes) < 2:
            blit_rgb(canvas, frame)
            return
        image = np.array(frame)
        layout = head_layout()
        jobs = []
        for a, b in zip(meshes[0::2], meshes[1::2], strict=False):
            for guest, donor in ((a, b), (b, a)):
                jobs.append((FaceSource(frame, layout.extend(donor.points)[:, :2]), guest.points))
        self._swapper.paste_all(image, jobs, frame, light=self.light)
        blit_rgb(canvas, image)
