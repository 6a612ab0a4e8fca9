"""Time Machine: watch yourself age year by year, up to 60 years, while the clip records.

A recorded clip starts young (``restart()``, called by the booth when recording starts) and ages
steadily to ``years`` over ``duration`` seconds, with a year counter; before that the preview cycles
young -> old -> young so guests see what it does. Each face ages by itself (see ``effects.ageing``):
hair and eyebrows grey, skin dulls and gains age spots, wrinkles appear as shaded relief following the
mesh, jowls and eye bags sag.
"""

from __future__ import annotations

import dataclasses
import functools

import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects.ageing import Ager
from magicbooth.effects.base import Effect
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb

FULL_YEARS = 60.0    # the look the ageing maps are drawn for


class TimeMachine(Effect["TimeMachine.Options"]):
    name = "timemachine"
    title = "Time Machine (ageing, year by year)"
    needs = frozenset({"faces", "mesh", "mask"})
    needs_face = True        # without a face nothing ages: the booth says "step closer"

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        years: int = option(60, "How many years older you get by the end.", low=5, high=80)
        duration: float = option(8.0, "Seconds a recorded clip takes to reach that age (keep it within the clip); "
                                 "0 shows the full age at once.", low=0.0, high=120.0)
        preview: float = option(6.0, "Seconds of one young-old-young cycle in the preview, before a clip starts.",
                                low=2.0, high=60.0)
        counter: bool = option(True, "Show the year counter.")

    def __init__(self, options: TimeMachine.Options | None = None) -> None:
        super().__init__(options)
        self._ager = Ager()
        self._recording = False
        self._t0: float | None = None

    def reset(self) -> None:
        """Back to the preview: the age cycles young -> old -> young."""
        self._recording = False
        self._t0 = None
        self._ager.reset()

    def restart(self) -> None:
        """A clip starts: age 0 now, rising steadily to ``years`` over ``duration`` seconds, then held."""
        self._recording = True
        self._t0 = None
        self._ager.reset()

    @property
    def timeline_s(self) -> float:
        """Seconds from ``restart()`` to full age: a clip should last at least this long."""
        return self.options.duration

    def years_at(self, t: float) -> float:
        """Years added at time ``t`` (seconds, the render clock)."""
        o = self.options
        if self._t0 is None:
            self._t0 = t
        if o.duration <= 0:
            return float(o.years)
        elapsed = max(t - self._t0, 0.0)
        if self._recording:
            return o.years * min(elapsed / o.duration, 1.0)
        # Preview: grow old over 60 % of the cycle, stay old 25 %, turn young again 10 %, stay young 5 %.
        p = (elapsed % o.preview) / o.preview
        if p < 0.6:
            k = p / 0.6
        elif p < 0.85:
            k = 1.0
        elif p < 0.95:
            k = 1 - (p - 0.85) / 0.1
            k = k * k * (3 - 2 * k)
        else:
            k = 0.0
        return o.years * k

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        years = self.years_at(t)
        image = self._ager.apply(scene, years / FULL_YEARS, light=self.light)
        blit_rgb(canvas, image)
        if self.options.counter and (self._recording or scene.meshes):
            draw_counter(canvas, years, self.options.years)


def _font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    return _sized_font(size)


@functools.cache
def _sized_font(size: int) -> pygame.font.Font:
    return pygame.font.Font(None, size)  # pygame's bundled free font


@functools.cache
def _label(text: str, size: int) -> pygame.Surface:
    return _font(size).render(text, True, (255, 255, 255))


def draw_counter(canvas: pygame.Surface, years: float, target: int) -> None:
    """A pill at the bottom left: "+37 YEARS" and a bar filling towards the target age."""
    h = canvas.get_height()
    unit = h / 480
    big, small = _label(f"+{int(years)}", round(44 * unit)), _label("YEARS", round(20 * unit))
    pad = round(10 * unit)
    bar_h = max(2, round(5 * unit))
    width = big.get_width() + small.get_width() + 3 * pad
    height = big.get_height() + bar_h + 2 * pad
    x, y = round(12 * unit), h - height - round(12 * unit)
    panel = pygame.Surface((width, height), pygame.SRCALPHA)
    pygame.draw.rect(panel, (0, 0, 0, 120), panel.get_rect(), border_radius=round(12 * unit))
    canvas.blit(panel, (x, y))
    canvas.blit(big, (x + pad, y + pad))
    canvas.blit(small, (x + 2 * pad + big.get_width(), y + pad + big.get_height() - small.get_height() - 2))
    track = pygame.Rect(x + pad, y + height - pad - bar_h, width - 2 * pad, bar_h)
    pygame.draw.rect(canvas, (90, 90, 90), track)
    fill = track.copy()
    fill.width = round(track.width * min(years / max(target, 1), 1.0))
    pygame.draw.rect(canvas, (235, 200, 120), fill)
