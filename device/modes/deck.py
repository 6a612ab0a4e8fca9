"""The effects the booth's carousel offers, and how a frame is drawn through one.

A ``Deck`` keeps the modes independent of the effect and perception packages:
``raw_deck()`` just shows the camera; ``effect_deck.EffectDeck`` builds one
from the effect registry, running perception for the active effect's needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygame

from magicbooth.core.frames import Frame

DrawFn = Callable[[pygame.Surface, Frame, str, float], None]
RAW = "none"


def blit_frame(canvas: pygame.Surface, frame: Frame) -> None:
    """Copy the frame's RGB pixels onto a canvas of the same size."""
    pygame.surfarray.blit_array(canvas, frame.image.swapaxes(0, 1))


def _draw_raw(canvas: pygame.Surface, frame: Frame, name: str, t: float) -> None:
    blit_frame(canvas, frame)


@dataclass(frozen=True)
class Deck:
    """Effect names in carousel order, their titles, and the drawing function."""

    names: Sequence[str]
    titles: Sequence[str]
    draw: DrawFn
    raw: frozenset[str] = frozenset({RAW})   # effects whose output is the camera frame unchanged
    # Drawn unmirrored over the recording and over the preview (a watermark): never through the mirror.
    overlay: Callable[[pygame.Surface], None] | None = None

    def __post_init__(self) -> None:
        if not self.names or len(self.names) != len(self.titles):
            raise ValueError("a deck needs at least one effect and one title per effect")

    def is_raw(self, index: int) -> bool:
        """Whether the effect at ``index`` draws the plain camera (so the frame can be recorded as is)."""
        return self.names[index % len(self.names)] in self.raw


def raw_deck() -> Deck:
    """A deck with only the plain camera."""
    return Deck((RAW,), ("Plain camera",), _draw_raw)
