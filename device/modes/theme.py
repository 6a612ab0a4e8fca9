"""The booth's colours and brand, from ``[booth] theme``, the colour overrides and the logo.

One visual language for every screen: a dark or light ``surface`` (bars, panels, the
error screen), ``text`` and ``muted`` text on it, an ``accent`` for the primary choice
and progress, ``record`` red for the recording state, and white cards for QR codes.
Panels over the live picture are translucent (``panel_alpha``), so legibility is judged
on the worst picture under them: text must keep WCAG AA contrast (4.5:1) over pure
black and over pure white video. Operators' colours that would break that are not
refused: the text colour on them is chosen for contrast instead (as Material's
"on-primary" is), and the log says so. A logo that will not load is logged and the
title is shown instead: a booth never stops over its branding.

>>> Theme.from_config(BoothConfig()).on_accent                   # black on the dark theme's yellow
(0, 0, 0)
>>> Theme.from_config(BoothConfig(accent="#622ccc")).on_accent   # white on a purple brand colour
(255, 255, 255)
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from magicbooth.core.config import BoothConfig
from magicbooth.core.errors import ConfigError

log = logging.getLogger(__name__)

RGB = tuple[int, int, int]
AA_CONTRAST = 4.5
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


def parse_colour(text: str, where: str = "colour") -> RGB:
    """``"#rrggbb"`` (or ``"rrggbb"``) as an RGB tuple; ConfigError naming ``where`` otherwise."""
    value = text.strip().removeprefix("#")
    if len(value) != 6 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise ConfigError(f"{where} = {text!r}: expected a colour like \"#ffd23f\"")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def linear(c: int) -> float:
        v = c / 255.0
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(colour: RGB, alpha: float, under: RGB) -> RGB:
    """``colour`` at ``alpha`` blended over ``under``, as pygame blends (in sRGB values)."""
    return tuple(round(c * alpha + u * (1.0 - alpha)) for c, u in zip(colour, under, strict=True))  # type: ignore[return-value]


def readable_on(background: RGB) -> RGB:
    """Black or white, whichever contrasts more with ``background``."""
    return BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE


@dataclass(frozen=True)
class Theme:
    """Colours (RGB tuples), panel opacity and brand of the booth's screens."""

    name: str
    surface: RGB          # bars beside the picture, panels, the error screen
    text: RGB             # text on surface
    muted: RGB            # secondary text on surface
    accent: RGB           # primary buttons, the selected effect, progress
    on_accent: RGB        # text and icons on accent
    record: RGB           # the recording badge, stop button and frame
    on_record: RGB
    card: RGB = WHITE     # the QR card: dark modules need a light card
    on_card: RGB = (20, 20, 26)
    panel_alpha: float = 0.78   # panels over the picture
    title: str = ""       # an event name shown top-left when there is no logo
    logo: str = ""        # a PNG shown top-left

    @classmethod
    def from_config(cls, booth: BoothConfig) -> Theme:
        """The preset ``[booth] theme`` with the configured colours, logo and title; text fixed up for contrast."""
        preset = PRESETS[booth.theme]
        surface = parse_colour(booth.surface, "[booth] surface") if booth.surface else preset.surface
        text = parse_colour(booth.text, "[booth] text") if booth.text else preset.text
        accent = parse_colour(booth.accent, "[booth] accent") if booth.accent else preset.accent
        logo = booth.logo
        if logo and not _loads(Path(logo).expanduser()):
            log.warning("[booth] logo = %r: not a readable image; showing the title instead", logo)
            logo = ""
        theme = dataclasses.replace(preset, surface=surface, text=text, accent=accent,
                                    on_accent=readable_on(accent), title=booth.title, logo=logo)
        return theme.legible()

    def legible(self) -> Theme:
        """This theme with text colours swapped for black/white wherever a pair misses 4.5:1."""
        fixed = self
        for field_name, background in (("text", self.surface), ("muted", self.surface)):
            colour = getattr(fixed, field_name)
            if worst_contrast(colour, background, fixed.panel_alpha) < AA_CONTRAST:
                better = readable_on(background)
                log.warning("theme: %s colour %s reads poorly on the surface %s; using %s instead",
                            field_name, _hex(colour), _hex(background), _hex(better))
                fixed = dataclasses.replace(fixed, text=better) if field_name == "text" else dataclasses.replace(
                    fixed, muted=better)
        if worst_contrast(fixed.muted, fixed.surface, fixed.panel_alpha) < AA_CONTRAST:
            fixed = dataclasses.replace(fixed, muted=fixed.text)
        return fixed

    def pairs(self) -> Iterator[tuple[str, RGB, RGB, float]]:
        """Every (what, text colour, background colour, background opacity) the screens draw text with."""
        yield "text on panel", self.text, self.surface, self.panel_alpha
        yield "muted text on panel", self.muted, self.surface, self.panel_alpha
        yield "text on bars and the error screen", self.text, self.surface, 1.0
        yield "muted text on the error screen", self.muted, self.surface, 1.0
        yield "text on accent buttons", self.on_accent, self.accent, 1.0
        yield "text on the REC badge", self.on_record, self.record, 1.0
        yield "text on the QR card", self.on_card, self.card, 1.0


def worst_contrast(text: RGB, background: RGB, alpha: float) -> float:
    """Contrast of ``text`` on ``background`` drawn at ``alpha`` over the worst picture (black or white)."""
    return min(contrast(text, over(background, alpha, under)) for under in (BLACK, WHITE))


def _loads(path: Path) -> bool:
    """Whether ``path`` is an image pygame can load (a missing logo must not stop the booth)."""
    import pygame

    try:
        pygame.image.load(str(path))
    except (OSError, pygame.error, FileNotFoundError):
        return False
    return True


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


PRESETS: dict[str, Theme] = {
    "dark": Theme("dark", surface=(17, 17, 24), text=WHITE, muted=(206, 206, 218), accent=(255, 210, 63),
                  on_accent=BLACK, record=(214, 22, 46), on_record=WHITE),
    "light": Theme("light", surface=(250, 250, 252), text=(20, 20, 28), muted=(70, 70, 84), accent=(98, 44, 204),
                   on_accent=WHITE, record=(204, 18, 42), on_record=WHITE, panel_alpha=0.84),
}
