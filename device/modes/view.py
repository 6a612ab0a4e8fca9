"""Everything the booth puts on the screen: the picture, then the screen of the moment over it.

``show`` fits the camera picture (or the clip under review) into the layout, mirrored as
``[display] mirror`` says, fills the bars with the theme and draws the watermark the
right way round; ``draw`` adds the state's screen (``modes.screens``) and returns the
touch targets it drew, so the booth can tell what a tap hit. The booth, ``magicbooth
bench`` and ``tools/booth_screens.py`` all draw through this one class.

Usage::

    view = BoothView(config, pipeline.carousel, pipeline.watermark)
    layout = view.show(screen, work.canvas)
    targets = view.draw(screen, view.moment("attract"))
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pygame

from magicbooth.core.config import Config
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.modes import screens
from magicbooth.modes.catalogue import Catalogue
from magicbooth.modes.icons import icon
from magicbooth.modes.layout import Layout
from magicbooth.modes.paint import Paint
from magicbooth.modes.screens import Ink, Moment
from magicbooth.modes.theme import Theme
from magicbooth.modes.thumbnails import Thumbnails
from magicbooth.pipeline.flow import FramePass
from magicbooth.pipeline.overlay import Watermark

PAINT = Paint()   # cached parts, shared by every view in the process


def needs_face(carousel: EffectCarousel, name: str) -> bool:
    """Whether effect ``name`` draws nothing of its own without a face (so "step closer" helps).

    Effects say so with ``needs_face``; for one without the attribute, needing faces or a mesh counts.
    """
    declared = getattr(carousel.effect_class(name), "needs_face", None)
    if declared is not None:
        return bool(declared)
    needs = carousel.needs_of(name)
    return "faces" in needs or "mesh" in needs


class BoothView:
    """The booth's drawing: theme, text, layout per screen size, live thumbnails; one per booth."""

    def __init__(self, config: Config, carousel: EffectCarousel | None, watermark: Watermark | None = None, *,
                 thumbnails: bool | None = None) -> None:
        self.config = config.booth
        self.mirror = config.display.mirror
        self.theme = Theme.from_config(config.booth)
        self.text = Catalogue.load(config.booth.language)
        self.carousel = carousel
        self.watermark = watermark
        use_thumbs = config.booth.thumbnails if thumbnails is None else thumbnails
        self.thumbnails = Thumbnails(carousel, mirror=self.mirror) if carousel is not None and use_thumbs else None
        self.targets: dict[str, pygame.Rect] = {}
        self.ui_ms = 0.0        # the last draw's time (the bench reports it)...
        self.ui_cpu_ms = 0.0    # ...and the main thread's CPU time in it (what a busy machine does not inflate)
        self.show_ms = 0.0      # the last show's time
        self._layouts: dict[tuple[tuple[int, int], tuple[int, int]], Layout] = {}
        self._rounds: dict[tuple[str, int], tuple[int, pygame.Surface]] = {}
        self._logo: dict[tuple[int, int], pygame.Surface] = {}
        self._picture_size: tuple[int, int] = (0, 0)

    # -- geometry -----------------------------------------------------------------------------------------
    def layout(self, size: tuple[int, int], picture: tuple[int, int] | None = None) -> Layout:
        """The layout of a screen of ``size`` showing a picture of ``picture`` (the last one shown by default)."""
        shown = picture or self._picture_size or size
        key = ((int(size[0]), int(size[1])), (int(shown[0]), int(shown[1])))
        if key not in self._layouts:
            self._layouts[key] = Layout.compute(key[0], key[1], self.config.face_area)
        return self._layouts[key]

    def moment(self, state: str, **values: Any) -> Moment:
        """A ``Moment`` for ``state`` with the carousel and the configured timings filled in.

        A held hand (``palm``) comes in the camera picture's fractions and is mirrored as the picture is.
        """
        c = self.carousel
        base: dict[str, Any] = {"countdown_s": float(self.config.countdown_s),
                                "max_record_s": self.config.max_record_s, "hint": self.config.hint,
                                "consent_text": self.config.consent_text}
        if c is not None:
            base.update(effect_keys=c.names, index=c.index,
                        effect_names=tuple(self.text.effect_name(n, t) for n, t in zip(c.names, c.titles,
                                                                                       strict=True)))
        base.update(values)
        palm = base.get("palm")
        if palm is not None and self.mirror:   # the hand in the camera's picture, drawn where the guest sees it
            base["palm"] = (1.0 - palm[0], palm[1], palm[2])
        return Moment(state, **base)

    # -- the picture ----------------------------------------------------------------------------------------
    def show(self, screen: pygame.Surface, picture: pygame.Surface | None, *, live: bool = True) -> Layout:
        """Fit ``picture`` into the layout (mirrored as configured), bars in the theme, watermark if ``live``."""
        began = time.perf_counter()
        if picture is None:
            screen.fill(self.theme.surface)
            lay = self.layout(screen.get_size())
            self.show_ms = (time.perf_counter() - began) * 1000.0
            return lay
        self._picture_size = picture.get_size()
        lay = self.layout(screen.get_size(), self._picture_size)
        self._fill_bars(screen, lay)
        image = picture.convert(screen) if picture.get_bitsize() != screen.get_bitsize() else picture
        if self.mirror:
            image = pygame.transform.flip(image, True, False)
        target = screen.subsurface(lay.picture)
        if image.get_size() == lay.picture.size:
            target.blit(image, (0, 0))
        else:
            pygame.transform.scale(image, lay.picture.size, target)
        if live and self.watermark is not None:
            self.watermark.draw(target)
        self.show_ms = (time.perf_counter() - began) * 1000.0
        return lay

    def show_clip(self, screen: pygame.Surface, rgb: np.ndarray, *, watermarked: bool) -> Layout:
        """A frame of the saved clip, as the guest saw it live: mirrored alike, its watermark still readable.

        The clip carries the watermark burned in; mirroring would reverse its text, so that
        small patch is flipped back where it lands (bottom-left instead of bottom-right).
        """
        picture = pygame.image.frombuffer(np.ascontiguousarray(rgb).tobytes(), (rgb.shape[1], rgb.shape[0]), "RGB")
        if self.mirror and watermarked and self.watermark is not None and self.watermark.text:
            area = self.watermark.area(picture.get_size())
            area.x = picture.get_width() - area.right
            picture = pygame.transform.flip(picture, True, False)   # as the preview shows it...
            patch = pygame.transform.flip(picture.subsurface(area).copy(), True, False)
            picture.blit(patch, area)                                # ...with the text turned back
            picture = pygame.transform.flip(picture, True, False)   # show() mirrors once more
        return self.show(screen, picture, live=False)

    def _fill_bars(self, screen: pygame.Surface, lay: Layout) -> None:
        w, h = lay.size
        pic = lay.picture
        for rect in ((0, 0, w, pic.top), (0, pic.bottom, w, h - pic.bottom), (0, pic.top, pic.left, pic.height),
                     (pic.right, pic.top, w - pic.right, pic.height)):
            if rect[2] > 0 and rect[3] > 0:
                screen.fill(self.theme.surface, rect)

    # -- the screens ----------------------------------------------------------------------------------------
    def update(self, work: FramePass, now: float) -> None:
        """Keep the carousel's live thumbnails fresh (attract only: they cost a little CPU)."""
        if self.thumbnails is not None:
            self.thumbnails.update(work, now)

    def draw(self, screen: pygame.Surface, moment: Moment) -> dict[str, pygame.Rect]:
        """Draw ``moment``'s screen over what ``show`` drew; returns (and keeps) its touch targets."""
        began, cpu = time.perf_counter(), time.thread_time()
        lay = self.layout(screen.get_size())
        ink = Ink(screen, lay, self.theme, PAINT, self.text, self._thumb)
        screens.DRAW[moment.state](ink, moment)
        self._brand(ink)
        self.targets = ink.targets
        self.ui_ms = (time.perf_counter() - began) * 1000.0
        self.ui_cpu_ms = (time.thread_time() - cpu) * 1000.0
        return ink.targets

    def hit(self, pos: tuple[float, float], size: tuple[int, int]) -> str | None:
        """The target under a tap at ``pos`` (0..1 of the screen), with a little slop; the nearest wins."""
        x, y = pos[0] * size[0], pos[1] * size[1]
        slop = max(6, round(min(size) / 480 * 8))
        best: tuple[float, str] | None = None
        for name, rect in self.targets.items():
            if rect.inflate(2 * slop, 2 * slop).collidepoint(x, y):
                d = (rect.centerx - x) ** 2 + (rect.centery - y) ** 2
                if best is None or d < best[0]:
                    best = (d, name)
        return best[1] if best else None

    def _thumb(self, name: str, diameter: int) -> pygame.Surface:
        """Effect ``name``'s live thumbnail cut round at ``diameter``, or its symbol before it has one."""
        thumbs = self.thumbnails
        square = thumbs.square(name) if thumbs is not None else None
        version = thumbs.version(name) if thumbs is not None and square is not None else -1
        cached = self._rounds.get((name, diameter))
        if cached is not None and cached[0] == version:
            return cached[1]
        if square is None:
            surface = self._symbol(name, diameter)
        else:
            rgb = cv2.resize(square, (diameter, diameter), interpolation=cv2.INTER_AREA)
            surface = pygame.Surface((diameter, diameter), pygame.SRCALPHA)
            pixels = pygame.surfarray.pixels3d(surface)
            pixels[...] = rgb.transpose(1, 0, 2)
            del pixels
            alpha = pygame.surfarray.pixels_alpha(surface)
            alpha[...] = (PAINT.circle_mask(diameter) * 255).astype(np.uint8)
            del alpha
        self._rounds[(name, diameter)] = (version, surface)
        return surface

    def _symbol(self, name: str, diameter: int) -> pygame.Surface:
        """A plain disc with the effect's initial (thumbnails off, or not drawn yet)."""
        t = self.theme
        disc = PAINT.disc(diameter, t.surface, 0.9).copy()
        label = name
        if self.carousel is not None:
            label = self.text.effect_name(name, self.carousel.effect_class(name).title)
        letter = PAINT.label(label[:1].upper(), round(diameter * 0.5), t.text, "bold")
        disc.blit(letter, letter.get_rect(center=(diameter // 2, diameter // 2)))
        return disc

    def _brand(self, ink: Ink) -> None:
        """The logo, else the event title, else the product's mark, top-left (or in the portrait header)."""
        box = ink.lay.brand
        logo = self._logo_surface(box.size) if self.theme.logo else None
        if logo is not None:
            ink.screen.blit(logo, logo.get_rect(center=box.center) if ink.lay.portrait else
                            logo.get_rect(midleft=(box.x, box.centery)))
            return
        title = self.theme.title or self.text("brand.name")
        px = ink.px(20)
        label = PAINT.fit(title, box.width - ink.px(56), px, self.theme.text, "bold")
        mark = icon("sparkle", round(px * 1.2), self.theme.accent)
        rect = pygame.Rect(0, 0, label.get_width() + mark.get_width() + ink.px(36), round(px * 1.9))
        if ink.lay.portrait:
            rect.center = box.center
        else:
            rect.midleft = (box.x, box.centery)
        ink.panel(rect, rect.height / 2)
        ink.screen.blit(mark, mark.get_rect(midleft=(rect.x + ink.px(12), rect.centery)))
        ink.screen.blit(label, label.get_rect(midleft=(rect.x + ink.px(20) + mark.get_width(), rect.centery)))

    def _logo_surface(self, size: tuple[int, int]) -> pygame.Surface | None:
        if size not in self._logo:
            image = pygame.image.load(str(Path(self.theme.logo).expanduser()))
            scale = min(size[0] / image.get_width(), size[1] / image.get_height())
            fitted = (max(1, int(image.get_width() * scale)), max(1, int(image.get_height() * scale)))
            self._logo[size] = pygame.transform.smoothscale(image.convert_alpha() if pygame.display.get_init()
                                                            and pygame.display.get_surface() else image, fitted)
        return self._logo[size]
