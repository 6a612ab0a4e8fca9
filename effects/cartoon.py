"""Cartoon: flatten colours, ink the edges, optionally grade — a comic-book look for the whole picture."""

from __future__ import annotations

import dataclasses
import functools

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects.base import Effect
from magicbooth.effects.luts import GRADES, lut
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb


@functools.cache
def _posterize(levels: int, grade: str) -> np.ndarray:
    """One LUT doing colour quantisation (and the grade) in a single pass."""
    step = 256 / levels
    x = np.arange(256)
    q = np.clip((np.floor(x / step) + 0.5) * step, 0, 255).astype(np.uint8)
    table = np.repeat(q.reshape(256, 1, 1), 3, axis=2)
    g = lut(grade)
    if g is not None:
        table = np.stack([g[q, 0, c] for c in range(3)], axis=1).reshape(256, 1, 3)
    return table


class Cartoon(Effect):
    name = "cartoon"
    title = "Cartoon (flat colours, inked edges)"
    needs = frozenset()

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        levels: int = option(6, "Colour levels per channel.", low=2, high=32)
        edges: float = option(0.85, "Darkness of the inked edges.", low=0.0, high=1.0)
        grade: str = option("vivid", "Colour grade applied with the flattening.", choices=GRADES)

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        blit_rgb(canvas, self.draw(scene.frame.image))

    def draw(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        small = cv2.resize(frame, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        flat = cv2.bilateralFilter(small, 5, 40, 5)
        gray = cv2.medianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), 5)
        ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 11, 7)
        flat = cv2.LUT(flat, _posterize(self.options.levels, self.options.grade))
        out = cv2.resize(flat, (w, h), interpolation=cv2.INTER_LINEAR)
        if self.options.edges > 0:
            ink = cv2.resize(ink, (w, h), interpolation=cv2.INTER_LINEAR)
            keep = cv2.convertScaleAbs(ink, alpha=self.options.edges, beta=255 * (1 - self.options.edges))
            out = cv2.multiply(out, cv2.cvtColor(keep, cv2.COLOR_GRAY2RGB), scale=1 / 255)
        return out
