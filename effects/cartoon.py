"""Cartoon: flat colours and inked outlines for the whole picture, steady from frame to frame.

After Winnemöller, Olsen and Gooch's real-time video abstraction: colours are flattened by an
edge-preserving blur and a *soft* quantisation of lightness (smooth steps, so sensor noise near a
step does not flip pixels between two levels every frame), outlines come from a difference of
Gaussians with a soft threshold (thin lines on edges, never filled blobs in dark areas such as
nostrils), and a motion-aware temporal filter at half size removes the noise that is left where
the picture is still, while following at once where it moves. All at half resolution.
"""

from __future__ import annotations

import dataclasses
import functools

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects.base import Effect
from magicbooth.effects.blending import blend
from magicbooth.effects.luts import GRADES, lut
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb

# Temporal filter: weight (x 255) of the new frame by how much a pixel changed (grey levels).
_FOLLOW = np.round(np.clip(np.arange(256) / 16 + 0.35, 0, 1) * 255).astype(np.uint8)


@functools.cache
def soft_levels(levels: int, sharpness: float = 7.0) -> np.ndarray:
    """A (256,) uint8 table: lightness pulled towards ``levels`` plateaus with smooth (tanh) steps."""
    step = 255 / (levels - 1)
    x = np.arange(256, dtype=np.float64)
    k = np.floor(x / step)
    frac = x / step - k - 0.5                      # -0.5..0.5 within a level's interval
    y = (k + 0.5 + 0.5 * np.tanh(sharpness * frac) / np.tanh(sharpness * 0.5)) * step
    return np.clip(y, 0, 255).astype(np.uint8)


@functools.cache
def ink_table(strength: float) -> np.ndarray:
    """(256,) uint8: DoG response (128 = flat, lower = dark side of an edge) -> ink multiplier 255..low."""
    d = np.arange(256, dtype=np.float64) - 128
    line = np.clip(np.tanh(-(d + 5.0) / 4.0), 0, 1)            # soft threshold: only real edges ink
    return np.round(255 * (1 - strength * line)).astype(np.uint8)


class Cartoon(Effect["Cartoon.Options"]):
    name = "cartoon"
    title = "Cartoon (flat colours, inked edges)"
    needs = frozenset()

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        levels: int = option(6, "Lightness levels.", low=2, high=32)
        edges: float = option(0.85, "Darkness of the inked edges.", low=0.0, high=1.0)
        grade: str = option("vivid", "Colour grade applied with the flattening.", choices=GRADES)

    def __init__(self, options: Cartoon.Options | None = None) -> None:
        super().__init__(options)
        self._previous: np.ndarray | None = None

    def reset(self) -> None:
        self._previous = None

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        blit_rgb(canvas, self.draw(scene.frame.image))

    def _steady(self, small: np.ndarray) -> np.ndarray:
        """Motion-aware temporal filter: average with the last frame where little changed, follow where it moved."""
        prev = self._previous
        if prev is None or prev.shape != small.shape:
            self._previous = small
            return small
        diff = cv2.cvtColor(cv2.absdiff(small, prev), cv2.COLOR_RGB2GRAY)
        # Weight of the new frame: 0.35 for noise-sized changes, 1 for changes of 16+ grey levels.
        w = cv2.LUT(diff, _FOLLOW).astype(np.float32) * (1 / 255)
        out = blend(small, prev, w)
        self._previous = out
        return out

    def draw(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        small = cv2.resize(frame, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        if self.light:
            # The quality governor's cheaper picture: steadied, flattened and outlined at a quarter of the size
            # (softer colour borders, thicker lines).
            small = self._steady(cv2.resize(small, (w // 4, h // 4), interpolation=cv2.INTER_AREA))
            flat = cv2.bilateralFilter(small, 5, 40, 2.5)
        else:
            small = self._steady(small)
            flat = cv2.bilateralFilter(small, 5, 40, 5)
        ycc = cv2.cvtColor(flat, cv2.COLOR_RGB2YCrCb)
        y = ycc[..., 0]
        ycc[..., 0] = cv2.LUT(y, soft_levels(self.options.levels))
        flat = cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)
        table = lut(self.options.grade)
        if table is not None:
            flat = cv2.LUT(flat, table)
        out = cv2.resize(flat, (w, h), interpolation=cv2.INTER_LINEAR)
        if self.options.edges > 0:
            # Difference of Gaussians on 8-bit (OpenCV's fixed-point paths), offset to 128 = flat.
            s1, s2 = (0.5, 0.8) if self.light else (1.0, 1.6)
            code = cv2.addWeighted(cv2.GaussianBlur(y, (0, 0), s1), 1.0, cv2.GaussianBlur(y, (0, 0), s2), -1.0, 128)
            ink = cv2.LUT(code, ink_table(self.options.edges))
            ink = cv2.resize(ink, (w, h), interpolation=cv2.INTER_LINEAR)
            out = cv2.multiply(out, cv2.cvtColor(ink, cv2.COLOR_GRAY2RGB), scale=1 / 255)
        return out
