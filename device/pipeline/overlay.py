"""What the pipeline draws over the picture itself: the "AI effect" watermark, and the one font loader.

The watermark goes on every clip whose effect changes the picture (never on
the plain camera), and over the preview, where it is drawn after mirroring so
it reads the right way round. Screens (``modes/screens.py``) load fonts here
too, so the booth and its clips share one look.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pygame

WHITE = (255, 255, 255)
# The one typeface of the booth and its clips: Manrope (SIL OFL 1.1), bundled by tools/make_fonts.py
# (device/assets/FONTS.md says where it came from). "bold" is for headlines and digits, "text" for the rest.
FONT_FILES = {"bold": "Manrope-ExtraBold.ttf", "text": "Manrope-SemiBold.ttf"}


def font_path(weight: str = "text") -> Path:
    """The bundled font file for ``weight`` ("bold" or "text")."""
    return Path(str(resources.files("magicbooth.assets") / FONT_FILES[weight]))


@functools.cache
def font(size: int, weight: str = "text") -> pygame.font.Font:
    """The bundled font at ``size`` pixels (line height), cached: fonts are slow to load, no system fonts needed.

    ``size`` is the pixel size pygame is asked for; Manrope's capitals are about 0.72 of it.
    """
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(font_path(weight), max(8, size))


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
        label = self._label_for(surface.get_height())
        surface.blit(label, self.area(surface.get_size()))

    def area(self, size: tuple[int, int]) -> pygame.Rect:
        """Where ``draw`` puts the text on a picture of ``size`` (the booth's review un-mirrors it there)."""
        w, h = size
        pad = int(10 * h / 480)
        return self._label_for(h).get_rect(bottomright=(w - pad, h - pad))

    def _label_for(self, h: int) -> pygame.Surface:
        if self._label is None or self._label[0] != h:
            label = font(max(8, int(18 * h / 480))).render(self.text, True, WHITE)
            label.set_alpha(170)
            self._label = (h, label)
        return self._label[1]
