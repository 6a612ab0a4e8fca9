"""Background: blur the scene behind the person, or replace it with an image or a looping video."""

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
from magicbooth.effects.compose import blend, blur, feather_mask, fit
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb


@functools.cache
def _user_image(path: str) -> np.ndarray:
    return assets.read_image(path)


@functools.cache
def _user_video(path: str) -> tuple[np.ndarray, ...]:
    return assets.read_video(path)


class Background(Effect):
    name = "background"
    title = "Background blur or replacement"
    needs = frozenset({"mask"})

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        mode: str = option("blur", "blur the real background, or replace it with an image or a looping video.",
                           choices=("blur", "image", "video"))
        file: str = option("", "Image or video file for the replacement; empty uses the bundled one.")
        strength: float = option(12.0, "Blur radius in pixels.", low=1.0, high=60.0)
        feather: float = option(6.0, "Softness of the person's outline in pixels.", low=0.0, high=40.0)
        fps: float = option(12.0, "Playback rate of a background video.", low=1.0, high=60.0)

    def __init__(self, options: EffectOptions | None = None) -> None:
        super().__init__(options)
        o = self.options
        # Load up front so a bad file fails when the effect is chosen, not mid-clip.
        if o.mode == "image":
            self._image = _user_image(o.file) if o.file else assets.image("construction_site.jpg")
        elif o.mode == "video":
            self._video = _user_video(o.file) if o.file else assets.video("clouds.mp4")
        self._fitted: dict[tuple[int, int, int], np.ndarray] = {}
        self._out: np.ndarray | None = None

    def backdrop(self, frame: np.ndarray, t: float) -> np.ndarray:
        """What shows where the person is not."""
        h, w = frame.shape[:2]
        o = self.options
        if o.mode == "blur":
            return blur(frame, o.strength)
        if o.mode == "image":
            return self._fit(0, self._image, (w, h))
        i = int(t * o.fps) % len(self._video)
        return self._fit(i, self._video[i], (w, h))

    def _fit(self, key: int, image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        k = (key, *size)
        if k not in self._fitted:
            if len(self._fitted) > 64:
                self._fitted.clear()
            self._fitted[k] = np.ascontiguousarray(fit(image, size))
        return self._fitted[k]

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        frame = scene.frame.image
        if scene.mask is None:
            blit_rgb(canvas, frame)
            return
        # Feather outwards only, so where the mask is 1 the person stays exactly as captured.
        alpha = cv2.max(scene.mask, feather_mask(scene.mask, self.options.feather))
        if self._out is None or self._out.shape != frame.shape:
            self._out = np.empty_like(frame)
        blit_rgb(canvas, blend(frame, self.backdrop(frame, t), alpha, out=self._out))
