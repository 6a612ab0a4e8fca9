"""HUD overlays the booth modes draw over the effect: countdown, recording dot and timer,
fps/latency debug, and an optional "AI effect" watermark.

Draw them after the effect (and after any mirroring, so text reads the right way round)::

    hud = Hud()
    fx.render(canvas, scene, t)
    hud.recording(canvas, elapsed=clip_seconds, t=t)
    hud.watermark(canvas)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import pygame

WHITE = (255, 255, 255)
RED = (230, 30, 40)
SHADOW = (0, 0, 0, 150)


@functools.cache
def _font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(None, size)  # pygame's bundled free font: no system fonts needed


class Hud:
    """Overlay painter; sizes scale with the canvas height (designed at 480 lines)."""

    def __init__(self, watermark_text: str = "AI effect") -> None:
        self.watermark_text = watermark_text
        self._text_cache: dict[tuple[str, int, tuple[int, ...]], pygame.Surface] = {}

    def _text(self, text: str, size: int, colour: tuple[int, ...] = WHITE) -> pygame.Surface:
        key = (text, size, colour)
        surf = self._text_cache.get(key)
        if surf is None:
            if len(self._text_cache) > 256:
                self._text_cache.clear()
            surf = _font(size).render(text, True, colour)
            self._text_cache[key] = surf
        return surf

    @staticmethod
    def _unit(canvas: pygame.Surface) -> float:
        return canvas.get_height() / 480

    def _panel(self, canvas: pygame.Surface, rect: pygame.Rect) -> None:
        panel = pygame.Surface(rect.size, pygame.SRCALPHA)
        panel.fill(SHADOW)
        canvas.blit(panel, rect)

    def countdown(self, canvas: pygame.Surface, remaining: float, total: float) -> None:
        """A big number (seconds left, rounded up) inside a ring that empties as time runs out."""
        if remaining <= 0:
            return
        u = self._unit(canvas)
        w, h = canvas.get_size()
        radius = int(90 * u)
        centre = (w // 2, h // 2)
        disc = pygame.Surface((2 * radius + 4, 2 * radius + 4), pygame.SRCALPHA)
        pygame.draw.circle(disc, SHADOW, (radius + 2, radius + 2), radius)
        canvas.blit(disc, (centre[0] - radius - 2, centre[1] - radius - 2))
        frac = max(0.0, min(1.0, remaining / total)) if total > 0 else 0.0
        ring = pygame.Rect(0, 0, 2 * radius, 2 * radius)
        ring.center = centre
        pygame.draw.arc(canvas, WHITE, ring, math.pi / 2, math.pi / 2 + 2 * math.pi * frac, max(3, int(8 * u)))
        digit = self._text(str(math.ceil(remaining)), int(150 * u))
        canvas.blit(digit, digit.get_rect(center=centre))

    def recording(self, canvas: pygame.Surface, elapsed: float, t: float) -> None:
        """A blinking red dot and REC mm:ss in the top-left corner."""
        u = self._unit(canvas)
        label = self._text(f"REC {int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}", int(34 * u))
        pad = int(10 * u)
        r = int(9 * u)
        rect = pygame.Rect(pad, pad, label.get_width() + 2 * r + 3 * pad, max(label.get_height(), 2 * r) + pad)
        self._panel(canvas, rect)
        if (t % 1.0) < 0.6:
            pygame.draw.circle(canvas, RED, (rect.x + pad + r, rect.centery), r)
        canvas.blit(label, label.get_rect(midleft=(rect.x + 2 * pad + 2 * r, rect.centery)))

    def debug(self, canvas: pygame.Surface, fps: float, latency_ms: float,
              timings: Mapping[str, float] | None = None, dropped: int = 0) -> None:
        """fps, end-to-end latency, per-stage milliseconds and dropped frames, top-right."""
        u = self._unit(canvas)
        lines = [f"{fps:5.1f} fps  {latency_ms:5.1f} ms", f"dropped {dropped}"]
        lines += [f"{k} {v:5.1f} ms" for k, v in (timings or {}).items()]
        size = int(22 * u)
        surfs = [_font(size).render(line, True, WHITE) for line in lines]
        width = max(s.get_width() for s in surfs) + int(12 * u)
        height = sum(s.get_height() for s in surfs) + int(10 * u)
        rect = pygame.Rect(canvas.get_width() - width - int(8 * u), int(8 * u), width, height)
        self._panel(canvas, rect)
        y = rect.y + int(5 * u)
        for s in surfs:
            canvas.blit(s, (rect.x + int(6 * u), y))
            y += s.get_height()

    def watermark(self, canvas: pygame.Surface) -> None:
        """The watermark text, semi-transparent, bottom-right."""
        if not self.watermark_text:
            return
        u = self._unit(canvas)
        label = self._text(self.watermark_text, int(26 * u))
        label.set_alpha(170)
        pad = int(10 * u)
        canvas.blit(label, label.get_rect(bottomright=(canvas.get_width() - pad, canvas.get_height() - pad)))
