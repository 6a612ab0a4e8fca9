"""What the pipeline draws over the picture itself: the "AI effect" watermark, and the one font loader.

The watermark goes on every clip whose effect changes the picture (never on
the plain camera), and over the preview, where it is drawn after mirroring so
it reads the right way round. Screens (``modes/screens.py``) load fonts here
too, so the booth and its clips share one look.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pygame

WHITE = (255, 255, 255)


@functools.cache
def font(size: int) -> pygame.font.Font:
    """pygame's bundled free font at ``size`` pixels (cached: fonts are slow to load; no system fonts needed)."""
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(None, max(8, size))


class Watermark:
    """Semi-transparent text in the bottom-right corner, sized with the picture (designed at 480 lines).

    ``applies`` says, frame by frame, whether the picture is an effect's (the builder passes
    "the current effect is not the plain camera").
    """

    def __init__(self, text: str, applies: Callable[[], bool] = lambda: True) -> None:
        self.text = text
        self.applies = applies
        self._label: tuple[int, pygame.Surface] | None = None

    @property
    def is_shown(self) -> bool:
        """Whether ``draw`` draws anything for the current frame."""
        return bool(self.text) and self.applies()

    def draw(self, surface: pygame.Surface) -> None:
        """Draw the watermark onto ``surface`` (nothing when it does not apply)."""
        if not self.is_shown:
            return
        h = surface.get_height()
        if self._label is None or self._label[0] != h:
            label = font(int(26 * h / 480)).render(self.text, True, WHITE)
            label.set_alpha(170)
            self._label = (h, label)
        label = self._label[1]
        pad = int(10 * h / 480)
        surface.blit(label, label.get_rect(bottomright=(surface.get_width() - pad, h - pad)))
