"""Background: blur the scene behind the person, or replace it with an image or a looping video.

The person is laid over the new backdrop with the compositing kit: the backdrop's light wraps
onto their edge (``light_wrap``) and, on a replaced backdrop, their colour cast and brightness
move towards it and the old wall's colour leaves their soft edge (``harmonize``). Both at 0 is
plain alpha blending with the person mask, for comparison.
"""

from __future__ import annotations

import dataclasses
import functools

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects import assets
from magicbooth.effects.base import Effect
from magicbooth.effects.compose import blur_steps, feather_mask, fit
from magicbooth.effects.compositing import Stack, thumbnail
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb


@functools.cache
def _user_image(path: str) -> np.ndarray:
    return assets.read_image(path)


@functools.cache
def _user_video(path: str) -> tuple[np.ndarray, ...]:
    return assets.read_video(path)


class Background(Effect["Background.Options"]):
    name = "background"
    title = "Background blur or replacement"
    needs = frozenset({"mask"})

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        mode: str = option("blur", "blur the real background, or replace it with an image or a looping video.",
                           choices=("blur", "image", "video"))
        file: str = option("", "Image or video file for the replacement; empty uses the bundled one.")
        strength: float = option(12.0, "Blur radius in pixels.", low=1.0, high=60.0)
        feather: float = option(0.0, "Extra softness of the person's outline in pixels, outwards; 0 keeps the "
                                "mask's own edge, which follows the picture.", low=0.0, high=40.0)
        light_wrap: float = option(0.35, "How much of the backdrop's light spills onto the person's edge; 0 is off.",
                                   low=0.0, high=1.0)
        harmonize: float = option(0.3, "How far the person's colour cast and brightness move towards a replaced "
                                  "backdrop, with the old wall's colour taken out of their edge; 0 is off.",
                                  low=0.0, high=1.0)
        fps: float = option(12.0, "Playback rate of a background video.", low=1.0, high=60.0)

    def __init__(self, options: Background.Options | None = None) -> None:
        super().__init__(options)
        o = self.options
        # Load up front so a bad file fails when the effect is chosen, not mid-clip.
        if o.mode == "image":
            self._image = _user_image(o.file) if o.file else assets.image("construction_site.jpg")
        elif o.mode == "video":
            self._video = _user_video(o.file) if o.file else assets.video("clouds.mp4")
        self._fitted: dict[tuple[int, int, int], np.ndarray] = {}
        self._out: np.ndarray | None = None
        self._small: tuple[np.ndarray | None, np.ndarray | None] = (None, None)

    def backdrop(self, frame: np.ndarray, t: float) -> np.ndarray:
        """What shows where the person is not."""
        h, w = frame.shape[:2]
        o = self.options
        if o.mode == "blur":
            blurred, reduced, small = blur_steps(frame, o.strength)
            # The light wrap reduces the frame and the backdrop to its thumbnail size: at that size already?
            self._small = (reduced, small) if small.shape[1::-1] == thumbnail(frame.shape) else (None, None)
            return blurred
        if o.mode == "image":
            return self._fit(0, self._image, (w, h))
        i = int(t * o.fps) % len(self._video)
        return self._fit(i, self._video[i], (w, h))

    def _fit(self, key: int, image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        k = (key, *size)
        if k not in self._fitted:
            if len(self._fitted) > 64:
                self._fitted.clear()
            fitted = np.array(fit(image, size))
            fitted.flags.writeable = False  # lets the compositing kit remember its look
            self._fitted[k] = fitted
        return self._fitted[k]

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        frame = scene.frame.image
        if scene.mask is None:
            blit_rgb(canvas, frame)
            return
        o = self.options
        alpha = scene.mask
        if o.feather > 0:  # outwards only, so where the mask is 1 the person stays exactly as captured
            alpha = cv2.max(alpha, feather_mask(alpha, o.feather))
        if self._out is None or self._out.shape != frame.shape:
            self._out = np.empty_like(frame)
        # A blurred room is the room: its light is already on the person, so only the wrap applies.
        # Light (the quality governor): plain alpha blending, no wrap, harmonising or edge clean-up.
        harmonize = 0.0 if o.mode == "blur" or self.light else o.harmonize
        wrap = 0.0 if self.light else o.light_wrap
        self._small = (None, None)
        back = self.backdrop(frame, t)
        stack = Stack(frame, alpha, backdrop=back, small=self._small)
        blit_rgb(canvas, stack.flatten(light_wrap=wrap, harmonize=harmonize, out=self._out))
