"""Anti-aliased drawing for the booth's screens: shapes from distance fields, text, rings, QR codes.

pygame's own thick arcs and rounded rectangles are aliased (the old countdown ring had
holes), so shapes here are alpha masks computed from signed distances with numpy, one
pixel of soft edge, and cached: a screen is a handful of cached blits per frame. Only
the progress rings change every frame; their distance and angle fields are cached so
a frame costs one small numpy expression.

>>> paint = Paint()
>>> paint.box((200, 56), 28, (255, 210, 63)).get_size()        # a pill, cached
(200, 56)
>>> screen = pygame.Surface((160, 160))
>>> paint.arc(screen, (80, 80), 60, 8, (255, 255, 255), 0.5)   # half a ring, clockwise from twelve
>>> screen.get_at((140, 80))[:3], screen.get_at((20, 80))[:3]     # three o'clock drawn, nine o'clock not yet
((255, 255, 255), (0, 0, 0))
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import pygame

from magicbooth.pipeline.overlay import font

RGB = tuple[int, int, int]


def _sdf_box(w: int, h: int, radius: float) -> np.ndarray:
    """Signed distance (pixels, negative inside) of each pixel centre to a w×h box with round corners; (w, h) array."""
    r = min(radius, w / 2, h / 2)
    x = np.arange(w, dtype=np.float32)[:, None] + 0.5
    y = np.arange(h, dtype=np.float32)[None, :] + 0.5
    qx = np.abs(x - w / 2) - (w / 2 - r)
    qy = np.abs(y - h / 2) - (h / 2 - r)
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    inside = np.minimum(np.maximum(qx, qy), 0)
    return outside + inside - r


def _coverage(sdf: np.ndarray) -> np.ndarray:
    return np.clip(0.5 - sdf, 0.0, 1.0)


def displayed(surface: pygame.Surface) -> pygame.Surface:
    """``surface`` in the screen's own pixel layout once a screen is open: blits then need no reordering (2× faster)."""
    return surface.convert_alpha() if pygame.display.get_init() and pygame.display.get_surface() else surface


def _surface(alpha: np.ndarray, colour: RGB) -> pygame.Surface:
    """A surface of ``colour`` with per-pixel ``alpha`` (0..1, shape (w, h))."""
    w, h = alpha.shape
    surface = pygame.Surface((max(1, w), max(1, h)), pygame.SRCALPHA)
    surface.fill((*colour, 255))
    view = pygame.surfarray.pixels_alpha(surface)
    view[...] = (alpha * 255 + 0.5).astype(np.uint8)
    del view
    return displayed(surface)


class Paint:
    """Cached drawing parts. One per process is enough; everything is keyed by size and colour."""

    # -- text -------------------------------------------------------------------------------------------------
    @functools.lru_cache(maxsize=512)  # noqa: B019 - one long-lived instance; the cache is the point
    def label(self, text: str, size: int, colour: RGB, weight: str = "text") -> pygame.Surface:
        """One line of anti-aliased text, ``size`` pixels (the font's em)."""
        return displayed(font(max(8, size), weight).render(text, True, colour))

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def fit(self, text: str, width: int, size: int, colour: RGB, weight: str = "text",
            smallest: float = 0.7) -> pygame.Surface:
        """One line no wider than ``width``: the font shrinks to ``smallest`` of ``size``, then the text is cut."""
        low = max(8, int(size * smallest))
        for px in range(size, low - 1, -1 if size - low < 12 else -2):
            if font(px, weight).size(text)[0] <= width:
                return self.label(text, px, colour, weight)
        words = text
        while len(words) > 1 and font(low, weight).size(words + "…")[0] > width:
            words = words[:-1]
        return self.label(words.rstrip() + "…", low, colour, weight)

    def lines(self, text: str, width: int, height: int, size: int, colour: RGB, weight: str = "text",
              smallest: float = 0.7, spacing: float = 1.2) -> list[pygame.Surface]:
        """A paragraph wrapped to ``width`` that fits ``height``, shrinking the font (to ``smallest``) when needed."""
        low = max(8, int(size * smallest))
        px = size
        while True:
            wrapped = _wrap(text, width, font(px, weight))
            if len(wrapped) * px * spacing <= height or px <= low:
                break
            px -= 1
        most = max(1, int(height // (px * spacing)))
        if len(wrapped) > most:
            wrapped = wrapped[:most]
            wrapped[-1] = wrapped[-1].rstrip(".,;: ") + "…"
        return [self.label(line, px, colour, weight) for line in wrapped]

    # -- shapes -----------------------------------------------------------------------------------------------
    @functools.lru_cache(maxsize=256)  # noqa: B019
    def box(self, size: tuple[int, int], radius: float, colour: RGB, alpha: float = 1.0) -> pygame.Surface:
        """A filled rectangle with round corners (a pill when ``radius`` is half the height)."""
        w, h = size
        return _surface(_coverage(_sdf_box(w, h, radius)) * alpha, colour)

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def outline(self, size: tuple[int, int], radius: float, width: float, colour: RGB,
                alpha: float = 1.0) -> pygame.Surface:
        """The border of a round-cornered rectangle, ``width`` pixels wide, inside its bounds."""
        w, h = size
        sdf = _sdf_box(w, h, radius)
        return _surface((_coverage(sdf) - _coverage(sdf + width)).clip(0, 1) * alpha, colour)

    def disc(self, diameter: int, colour: RGB, alpha: float = 1.0) -> pygame.Surface:
        return self.box((diameter, diameter), diameter / 2, colour, alpha)

    def ring(self, diameter: int, width: float, colour: RGB, alpha: float = 1.0) -> pygame.Surface:
        return self.outline((diameter, diameter), diameter / 2, width, colour, alpha)

    @functools.lru_cache(maxsize=64)  # noqa: B019
    def circle_mask(self, diameter: int) -> np.ndarray:
        """Anti-aliased coverage of a disc, (d, d) floats, for cutting round thumbnails."""
        return _coverage(_sdf_box(diameter, diameter, diameter / 2))

    @functools.lru_cache(maxsize=64)  # noqa: B019
    def fade(self, size: tuple[int, int], colour: RGB, top_alpha: float, bottom_alpha: float) -> pygame.Surface:
        """A vertical gradient of ``colour`` (the scrim under the dock, so white controls read on any picture)."""
        w, h = size
        ramp = np.linspace(top_alpha, bottom_alpha, max(1, h), dtype=np.float32)
        ramp = ramp * ramp / max(bottom_alpha, 1e-6) if bottom_alpha > top_alpha else ramp   # ease in
        return _surface(np.broadcast_to(ramp[None, :], (max(1, w), max(1, h))), colour)

    # -- rings that change every frame ------------------------------------------------------------------------
    @functools.lru_cache(maxsize=16)  # noqa: B019
    def _polar(self, radius: int, width: float) -> tuple[np.ndarray, np.ndarray, float]:
        """The band's coverage and each pixel's turn (0 at twelve o'clock, clockwise) around a ring; the centre."""
        side = 2 * (radius + int(width) + 2)
        c = side / 2
        x = np.arange(side, dtype=np.float32)[:, None] + np.float32(0.5 - c)
        y = np.arange(side, dtype=np.float32)[None, :] + np.float32(0.5 - c)
        dist = np.hypot(x, y)
        turn = ((np.arctan2(x, -y) / np.float32(2 * np.pi)) % np.float32(1.0)).astype(np.float32)
        band = np.clip(np.float32(width / 2 + 0.5) - np.abs(dist - np.float32(radius)), 0, 1).astype(np.float32)
        return band, turn, c

    def arc(self, surface: pygame.Surface, centre: tuple[int, int], radius: int, width: float, colour: RGB,
            fraction: float, alpha: float = 1.0, start: float = 0.0) -> None:
        """Draw ``fraction`` (0..1) of a ring clockwise from ``start`` turns past twelve o'clock, with round ends."""
        fraction = min(1.0, max(0.0, fraction))
        if fraction <= 0.0:
            return
        if fraction >= 1.0:
            ring = self.ring(2 * radius + round(width), width, colour, alpha)
            surface.blit(ring, ring.get_rect(center=centre))
            return
        band, turn, c = self._polar(radius, width)
        circumference = np.float32(2 * math.pi * radius)
        if start:
            turn = (turn - np.float32(start)) % np.float32(1.0)
        along = np.clip((np.float32(fraction) - turn) * circumference + np.float32(0.5), 0, 1)  # before the end
        after = np.clip(turn * circumference + np.float32(0.5), 0, 1)                              # past the start
        cover = band * along * after
        half = width / 2
        for t in (start, start + fraction):                      # round caps, each in its own small square
            a = 2 * math.pi * t
            cx, cy = c + radius * math.sin(a), c - radius * math.cos(a)
            x0, y0 = max(0, int(cx - half - 2)), max(0, int(cy - half - 2))
            x1, y1 = int(cx + half + 3), int(cy + half + 3)
            xs = np.arange(x0, x1, dtype=np.float32)[:, None] + np.float32(0.5 - cx)
            ys = np.arange(y0, y1, dtype=np.float32)[None, :] + np.float32(0.5 - cy)
            cap = np.clip(np.float32(half + 0.5) - np.hypot(xs, ys), 0, 1)
            window = cover[x0:x1, y0:y1]
            np.maximum(window, cap[: window.shape[0], : window.shape[1]], out=window)
        ring = _surface(cover * np.float32(alpha), colour)
        surface.blit(ring, ring.get_rect(center=centre))

    # -- codes ------------------------------------------------------------------------------------------------
    @functools.lru_cache(maxsize=8)  # noqa: B019
    def qr(self, url: str, side: int, dark: RGB, light: RGB) -> pygame.Surface:
        """A QR code of ``url`` at most ``side`` px, whole pixels per module, with a 2-module quiet zone."""
        import segno

        matrix = np.array(segno.make(url, error="m").matrix, dtype=bool)
        quiet = 2
        n = matrix.shape[0] + 2 * quiet
        cell = max(1, side // n)
        board = np.zeros((n, n), bool)
        board[quiet:-quiet, quiet:-quiet] = matrix
        rgb = np.where(board[..., None], np.array(dark, np.uint8), np.array(light, np.uint8))
        pixels = np.ascontiguousarray(np.repeat(np.repeat(rgb, cell, axis=0), cell, axis=1))
        return pygame.image.frombuffer(pixels.tobytes(), (n * cell, n * cell), "RGB").copy()


def _wrap(text: str, width: int, face: pygame.font.Font) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and face.size(lines[-1] + " " + word)[0] <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def blit_centred(surface: pygame.Surface, parts: Sequence[pygame.Surface], centre: tuple[int, int],
                 spacing: int = 0) -> pygame.Rect:
    """Blit surfaces stacked vertically, centred on ``centre``; the rect they cover."""
    total = sum(p.get_height() for p in parts) + spacing * max(0, len(parts) - 1)
    y = centre[1] - total // 2
    covered = pygame.Rect(centre[0], y, 0, total)
    for part in parts:
        rect = part.get_rect(midtop=(centre[0], y))
        surface.blit(part, rect)
        covered.union_ip(rect)
        y += part.get_height() + spacing
    return covered
