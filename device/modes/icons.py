"""The booth's icons, drawn here as vector shapes (no icon font, nothing to license).

Each icon is drawn on a 100×100 design grid at four times its final size with pygame's
polygons and circles, then scaled down smoothly: that gives clean anti-aliased edges,
and the result is cached per size and colour.

>>> icon("check", 48, (0, 0, 0))
<Surface(48x48x32 SW)>
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence

import pygame

RGB = tuple[int, int, int]
SUPER = 4
Point = tuple[float, float]


class _Pen:
    """Draws on the design grid (0..100) of a supersampled surface."""

    def __init__(self, surface: pygame.Surface, colour: RGB) -> None:
        self.s = surface
        self.k = surface.get_width() / 100.0
        self.colour = (*colour, 255)
        self.hole = (*colour, 0)    # erased pixels keep the colour, so smooth scaling leaves no dark fringe

    def p(self, x: float, y: float) -> tuple[int, int]:
        return round(x * self.k), round(y * self.k)

    def poly(self, points: Sequence[Point], colour: tuple[int, int, int, int] | None = None) -> None:
        pygame.draw.polygon(self.s, colour or self.colour, [self.p(x, y) for x, y in points])

    def dot(self, x: float, y: float, r: float, colour: tuple[int, int, int, int] | None = None) -> None:
        pygame.draw.circle(self.s, colour or self.colour, self.p(x, y), max(1, round(r * self.k)))

    def line(self, points: Sequence[Point], width: float, colour: tuple[int, int, int, int] | None = None) -> None:
        """A polyline with round joins and caps."""
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            dx, dy = x1 - x0, y1 - y0
            n = math.hypot(dx, dy) or 1.0
            ox, oy = -dy / n * width / 2, dx / n * width / 2
            self.poly([(x0 + ox, y0 + oy), (x1 + ox, y1 + oy), (x1 - ox, y1 - oy), (x0 - ox, y0 - oy)], colour)
        for x, y in points:
            self.dot(x, y, width / 2, colour)

    def arc(self, cx: float, cy: float, r: float, start: float, end: float, width: float) -> None:
        """A thick arc (degrees, clockwise from twelve o'clock) as one polygon: no holes."""
        steps = max(8, int(abs(end - start) / 4))
        angles = [math.radians(start + (end - start) * i / steps) for i in range(steps + 1)]
        outer = [(cx + (r + width / 2) * math.sin(a), cy - (r + width / 2) * math.cos(a)) for a in angles]
        inner = [(cx + (r - width / 2) * math.sin(a), cy - (r - width / 2) * math.cos(a)) for a in angles]
        self.poly(outer + inner[::-1])
        for a in (angles[0], angles[-1]):
            self.dot(cx + r * math.sin(a), cy - r * math.cos(a), width / 2)

    def clear(self, points: Sequence[Point], width: float) -> None:
        """Erase along a line (the gap beside a slash)."""
        self.line(points, width, self.hole)


def _chevron_left(pen: _Pen) -> None:
    pen.line([(60, 24), (34, 50), (60, 76)], 11)


def _chevron_right(pen: _Pen) -> None:
    pen.line([(40, 24), (66, 50), (40, 76)], 11)


def _check(pen: _Pen) -> None:
    pen.line([(22, 52), (42, 71), (79, 31)], 11)


def _close(pen: _Pen) -> None:
    pen.line([(28, 28), (72, 72)], 10)
    pen.line([(72, 28), (28, 72)], 10)


def _retake(pen: _Pen) -> None:
    pen.arc(50, 52, 27, 40, 330, 10)
    a = math.radians(40)
    tip = (50 + 27 * math.sin(a), 52 - 27 * math.cos(a))
    pen.poly([(tip[0] + 13, tip[1] - 14), (tip[0] + 6, tip[1] + 14), (tip[0] - 12, tip[1] - 6)])


def _camera(pen: _Pen, slash: bool = False) -> None:
    pen.poly([(36, 26), (64, 26), (70, 34), (30, 34)])
    body = pygame.Rect(*pen.p(12, 32), round(76 * pen.k), round(50 * pen.k))
    pygame.draw.rect(pen.s, pen.colour, body, border_radius=round(9 * pen.k))
    pen.dot(50, 57, 17, pen.hole)
    pen.dot(50, 57, 11)
    if slash:
        pen.clear([(14, 14), (86, 90)], 18)
        pen.line([(16, 16), (84, 88)], 8)


def _warning(pen: _Pen) -> None:
    pen.line([(50, 14), (88, 82), (12, 82), (50, 14)], 9)
    pen.poly([(50, 14), (88, 82), (12, 82)])
    pen.line([(50, 38), (50, 60)], 9, pen.hole)
    pen.dot(50, 71, 5.5, pen.hole)


def _hourglass(pen: _Pen) -> None:
    pen.line([(26, 14), (74, 14)], 8)
    pen.line([(26, 86), (74, 86)], 8)
    pen.line([(32, 16), (32, 28), (50, 50), (32, 72), (32, 84)], 7)
    pen.line([(68, 16), (68, 28), (50, 50), (68, 72), (68, 84)], 7)
    pen.poly([(38, 80), (62, 80), (50, 64)])
    pen.poly([(40, 30), (60, 30), (50, 42)])


def _face(pen: _Pen) -> None:
    pen.arc(50, 50, 34, 0, 360, 8)
    pen.dot(38, 43, 5)
    pen.dot(62, 43, 5)
    pen.arc(50, 50, 18, 115, 245, 7)


def _sparkle(pen: _Pen) -> None:
    def star(cx: float, cy: float, r: float) -> None:
        pts = []
        for i in range(8):
            a = math.radians(i * 45)
            rr = r if i % 2 == 0 else r * 0.28
            pts.append((cx + rr * math.sin(a), cy - rr * math.cos(a)))
        pen.poly(pts)
    star(42, 56, 38)
    star(78, 22, 18)


def _stop(pen: _Pen) -> None:
    rect = pygame.Rect(*pen.p(20, 20), round(60 * pen.k), round(60 * pen.k))
    pygame.draw.rect(pen.s, pen.colour, rect, border_radius=round(12 * pen.k))


def _hand(pen: _Pen) -> None:
    """An open hand, palm on: four fingers and a thumb out from a rounded palm."""
    pen.poly([(30, 52), (70, 52), (68, 80), (58, 90), (40, 90), (32, 80)])
    for x, top in ((35, 26), (46, 16), (57, 18), (68, 30)):
        pen.line([(x, 58), (x, top)], 10)
    pen.line([(31, 70), (20, 56), (15, 46)], 10)


def _thumb(pen: _Pen, down: bool = False) -> None:
    """A fist with the thumb up (or down)."""
    def at(x: float, y: float) -> Point:
        return (x, 100 - y) if down else (x, y)

    pen.poly([at(28, 46), at(74, 46), at(80, 54), at(80, 84), at(72, 92), at(32, 92), at(26, 84)])
    pen.line([at(38, 50), at(40, 30), at(46, 12)], 12)
    for y in (56, 68, 80):
        pen.clear([at(56, y), at(80, y)], 3)


ICONS: dict[str, Callable[[_Pen], None]] = {
    "hand": _hand, "thumb_up": _thumb, "thumb_down": lambda pen: _thumb(pen, down=True),
    "prev": _chevron_left, "next": _chevron_right, "check": _check, "close": _close, "retake": _retake,
    "camera": _camera, "camera_off": lambda pen: _camera(pen, slash=True), "warning": _warning,
    "hourglass": _hourglass, "face": _face, "sparkle": _sparkle, "stop": _stop,
}


@functools.lru_cache(maxsize=128)
def icon(name: str, size: int, colour: RGB) -> pygame.Surface:
    """Icon ``name`` (see ``ICONS``) as a ``size``×``size`` anti-aliased surface in ``colour``."""
    big = pygame.Surface((size * SUPER, size * SUPER), pygame.SRCALPHA)
    big.fill((*colour, 0))
    ICONS[name](_Pen(big, colour))
    small = pygame.transform.smoothscale(big, (size, size))
    return small.convert_alpha() if pygame.display.get_init() and pygame.display.get_surface() else small
