"""Showing the canvas with pygame: a window, kmsdrm fullscreen, or nothing.

pygame and all drawing stay on the main thread (docs/architecture.md). ``Display``
is the preview's sink: called with a ``FramePass`` it shows the canvas (letterboxed,
mirrored for the selfie view if configured), the watermark and the optional HUD, then
flips. The booth owns its screen instead and draws with ``letterbox`` too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import pygame

from magicbooth.core.config import DisplayConfig
from magicbooth.core.errors import DisplayError
from magicbooth.core.machine import display_candidates
from magicbooth.pipeline.flow import FramePass, Pipeline
from magicbooth.pipeline.overlay import Watermark, font

log = logging.getLogger(__name__)


def letterbox(screen: pygame.Surface, picture: pygame.Surface, *, mirror: bool) -> pygame.Rect:
    """Draw ``picture`` scaled to fit ``screen`` (black bars), flipped left-right if ``mirror``; its rect."""
    image = pygame.transform.flip(picture, True, False) if mirror else picture
    sw, sh = screen.get_size()
    cw, ch = image.get_size()
    if (cw, ch) == (sw, sh):
        screen.blit(image, (0, 0))
        return screen.get_rect()
    scale = min(sw / cw, sh / ch)
    size = (max(1, int(cw * scale)), max(1, int(ch * scale)))
    screen.fill((0, 0, 0))
    rect = pygame.Rect(((sw - size[0]) // 2, (sh - size[1]) // 2), size)
    screen.blit(pygame.transform.scale(image, size), rect)
    return rect


def hud_lines(pipeline: Pipeline) -> list[str]:
    """The operator's figures: frame rate, drops, latency, the quality level and why, stage times."""
    stats = pipeline.stats
    lines = [f"{stats.fps:4.1f} fps  dropped {stats.dropped}  latency {stats.latency_ms:.0f} ms"]
    governor = pipeline.governor
    if governor is not None:
        lines.append(f"{governor.status()}: {governor.level.what}")
        if governor.changes:
            lines.append(f"  last step: {governor.changes[-1].reason}")
    lines += [f"{name}: {ms:.1f} ms" for name, ms in stats.stage_ms.items()]
    return lines


def draw_hud(surface: pygame.Surface, lines: list[str]) -> None:
    """White text on dark boxes in the top-left corner (the preview's and the booth's HUD)."""
    y = 6
    for line in lines:
        text = font(16).render(line, True, (255, 255, 255), (0, 0, 0))
        text.set_alpha(200)
        surface.blit(text, (6, y))
        y += text.get_height() + 2


class Display:
    """A pygame screen for the pipeline; ``mode`` is ``window``, ``fullscreen`` or ``none``."""

    name = "display"

    def __init__(self, config: DisplayConfig, *, mode: str | None = None, caption: str = "magicbooth",
                 hud_text: Callable[[], list[str]] | None = None, watermark: Watermark | None = None) -> None:
        self.config = config
        self.requested = mode or config.mode
        self.mode = "none"
        self.driver = ""
        self.mirror = config.mirror
        self.hud = config.hud
        self.caption = caption
        self.hud_text = hud_text
        self.watermark = watermark
        self.quit_requested = False
        self._screen: pygame.Surface | None = None
        self._font: pygame.font.Font | None = None
        self._events: list[pygame.event.Event] = []

    @property
    def is_shown(self) -> bool:
        return self._screen is not None

    @property
    def screen(self) -> pygame.Surface | None:
        return self._screen

    def open(self, frame_size: tuple[int, int]) -> Display:
        """Pick the mode (``auto`` probes) and open the screen; ``none`` opens nothing."""
        if self.requested == "none":
            log.info("display: none (headless)")
            return self
        candidates = (display_candidates() if self.requested == "auto"
                      else [(self.requested, os.environ.get("SDL_VIDEODRIVER", ""))])
        errors = []
        for mode, driver in candidates:
            try:
                self._open_screen(mode, driver, frame_size)
                return self
            except pygame.error as exc:
                errors.append(f"{driver or 'default'}: {exc}")
                pygame.display.quit()
        if self.requested == "auto":
            log.info("display: none (no desktop session or usable DRM device%s)",
                     f"; tried {'; '.join(errors)}" if errors else "")
            return self
        raise DisplayError(f"cannot open a {self.requested} display ({'; '.join(errors)}); "
                           "use --display none for headless, or run it from a desktop or the Pi console")

    def _open_screen(self, mode: str, driver: str, frame_size: tuple[int, int]) -> None:
        if driver:
            os.environ["SDL_VIDEODRIVER"] = driver
        pygame.display.init()
        pygame.font.init()
        if mode == "fullscreen":
            self._screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
            pygame.mouse.set_visible(False)
        else:
            size = tuple(self.config.window_size) if all(self.config.window_size) else frame_size
            self._screen = pygame.display.set_mode(size)
        pygame.display.set_caption(self.caption)
        self._font = font(16)
        self.mode, self.driver = mode, pygame.display.get_driver()
        log.info("display: %s via %s, %dx%d", mode, self.driver, *self._screen.get_size())

    def close(self) -> None:
        if self._screen is not None:
            self._screen = None
            pygame.display.quit()

    def __call__(self, work: FramePass) -> None:
        """Pipeline sink: show this frame."""
        if self._screen is None:
            return
        self.show(work.canvas)
        self.pump()

    def show(self, canvas: pygame.Surface) -> None:
        """Blit ``canvas`` letterboxed, mirrored if configured, with the watermark and HUD; then flip."""
        assert self._screen is not None
        rect = letterbox(self._screen, canvas, mirror=self.mirror)
        if self.watermark is not None:
            self.watermark.draw(self._screen.subsurface(rect))
        if self.hud and self.hud_text is not None:
            self._draw_hud(self.hud_text())
        pygame.display.flip()

    def _draw_hud(self, lines: list[str]) -> None:
        assert self._screen is not None
        draw_hud(self._screen, lines)

    def pump(self) -> list[pygame.event.Event]:
        """Drain pygame's event queue; a window close or Esc asks to quit."""
        if self._screen is None:
            return []
        events = pygame.event.get()
        for event in events:
            if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
                self.quit_requested = True
        self._events.extend(events)
        return events

    def take_events(self) -> list[pygame.event.Event]:
        """Events seen since the last call (for modes that handle input)."""
        events, self._events = self._events, []
        return events
