"""Drawing for the booth's screens: text, carousel, buttons, countdown, REC badge, progress bar, QR code.

Everything here draws onto a pygame Surface on the main thread. Sizes scale
with the screen height so the same code suits a 480p panel and a 1080p TV.
Fonts come from ``pipeline.overlay``, which the clips' watermark uses too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pygame

from magicbooth.pipeline.display import letterbox
from magicbooth.pipeline.overlay import WHITE, font

BLACK = (0, 0, 0)
RED = (230, 30, 40)
SHADE = (0, 0, 0, 150)


def text(surface: pygame.Surface, message: str, center: tuple[int, int], size: int,
         color: tuple[int, int, int] = WHITE, *, backdrop: bool = True) -> pygame.Rect:
    """Draw one line centred at ``center``, on a translucent band so it reads over video."""
    label = font(size).render(message, True, color)
    rect = label.get_rect(center=center)
    if backdrop:
        band = pygame.Surface((rect.width + size, rect.height + size // 3), pygame.SRCALPHA)
        band.fill(SHADE)
        surface.blit(band, band.get_rect(center=center))
    surface.blit(label, rect)
    return rect


def wrapped(surface: pygame.Surface, message: str, size: int, *, top: float = 0.35) -> None:
    """Draw a paragraph centred on the screen, wrapping at 80 % of its width."""
    w, h = surface.get_size()
    lines: list[str] = []
    for word in message.split():
        if lines and font(size).size(lines[-1] + " " + word)[0] <= w * 0.8:
            lines[-1] += " " + word
        else:
            lines.append(word)
    for i, line in enumerate(lines):
        text(surface, line, (w // 2, int(h * top) + i * int(size * 1.2)), size)


def dim(surface: pygame.Surface, alpha: int = 170) -> None:
    """Darken the whole screen (message screens over a frozen or live picture)."""
    veil = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    veil.fill((0, 0, 0, alpha))
    surface.blit(veil, (0, 0))


def progress(surface: pygame.Surface, fraction: float) -> None:
    """A red bar along the bottom edge that fills up as the clip nears its maximum length."""
    w, h = surface.get_size()
    pygame.draw.rect(surface, RED, (0, h - max(4, h // 60), int(w * min(1.0, max(0.0, fraction))), h))


def carousel(surface: pygame.Surface, titles: Sequence[str], index: int) -> None:
    """The current effect's title with arrows to its neighbours (tap the edges or use ←/→)."""
    if not titles:
        return
    w, h = surface.get_size()
    size = h // 14
    y = h - size * 2
    text(surface, titles[index % len(titles)], (w // 2, y), size)
    if len(titles) > 1:
        text(surface, "<", (w // 10, y), size)
        text(surface, ">", (w - w // 10, y), size)


def buttons(surface: pygame.Surface, left: str, right: str) -> None:
    """Two big choices, left and right halves (tap a half, or Esc / Space)."""
    w, h = surface.get_size()
    size = h // 12
    text(surface, f"{left}  (Esc)", (w // 4, h - size * 2), size)
    text(surface, f"{right}  (Space)", (3 * w // 4, h - size * 2), size)


def qr_code(surface: pygame.Surface, url: str, center: tuple[int, int], side: int) -> None:
    """A QR code of ``url`` (segno), black on white, about ``side`` pixels wide."""
    import segno

    matrix = segno.make(url, error="m").matrix
    n = len(matrix) + 8   # 4-module quiet zone each side
    cell = max(1, side // n)
    board = pygame.Surface((n * cell, n * cell))
    board.fill(WHITE)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                board.fill(BLACK, ((x + 4) * cell, (y + 4) * cell, cell, cell))
    surface.blit(board, board.get_rect(center=center))


def show(screen: pygame.Surface, picture: pygame.Surface | None, *, mirror: bool) -> None:
    """Scale ``picture`` to fit the screen (letterboxed), mirrored for a selfie view if asked."""
    if picture is None:
        screen.fill(BLACK)
        return
    letterbox(screen, picture, mirror=mirror)


def surface_of(rgb: np.ndarray) -> pygame.Surface:
    """An H×W×3 RGB array as a Surface."""
    return pygame.image.frombuffer(np.ascontiguousarray(rgb).tobytes(), (rgb.shape[1], rgb.shape[0]), "RGB")


def saved(screen: pygame.Surface, message: str, url: str = "") -> None:
    """The 'Saved' screen over the dimmed preview, with a QR code of ``url`` if there is one."""
    w, h = screen.get_size()
    dim(screen)
    if url:
        text(screen, message, (w // 2, h // 8), h // 12)
        qr_code(screen, url, (w // 2, h // 2 + h // 16), int(h * 0.6))
    else:
        text(screen, message, (w // 2, h // 2), h // 10)


def failsafe(screen: pygame.Surface, reason: str, detail: str = "") -> None:
    """A short human reason, and under it, smaller, the error's own line for whoever maintains the booth."""
    w, h = screen.get_size()
    screen.fill((20, 20, 30))
    text(screen, reason, (w // 2, h // 2 - h // 16), h // 14)
    if detail:
        text(screen, detail, (w // 2, h // 2 + h // 12), h // 28, (200, 200, 200))


def _panel(surface: pygame.Surface, rect: pygame.Rect) -> None:
    panel = pygame.Surface(rect.size, pygame.SRCALPHA)
    panel.fill(SHADE)
    surface.blit(panel, rect)


def countdown(surface: pygame.Surface, remaining: float, total: float) -> None:
    """A big number (seconds left, rounded up) inside a ring that empties as time runs out."""
    if remaining <= 0:
        return
    u = surface.get_height() / 480
    w, h = surface.get_size()
    radius = int(90 * u)
    centre = (w // 2, h // 2)
    disc = pygame.Surface((2 * radius + 4, 2 * radius + 4), pygame.SRCALPHA)
    pygame.draw.circle(disc, SHADE, (radius + 2, radius + 2), radius)
    surface.blit(disc, (centre[0] - radius - 2, centre[1] - radius - 2))
    frac = max(0.0, min(1.0, remaining / total)) if total > 0 else 0.0
    ring = pygame.Rect(0, 0, 2 * radius, 2 * radius)
    ring.center = centre
    pygame.draw.arc(surface, WHITE, ring, math.pi / 2, math.pi / 2 + 2 * math.pi * frac, max(3, int(8 * u)))
    digit = font(int(150 * u)).render(str(math.ceil(remaining)), True, WHITE)
    surface.blit(digit, digit.get_rect(center=centre))


def recording(surface: pygame.Surface, elapsed: float, t: float) -> None:
    """A blinking red dot and REC mm:ss in the top-left corner."""
    u = surface.get_height() / 480
    label = font(int(34 * u)).render(f"REC {int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}", True, WHITE)
    pad = int(10 * u)
    r = int(9 * u)
    rect = pygame.Rect(pad, pad, label.get_width() + 2 * r + 3 * pad, max(label.get_height(), 2 * r) + pad)
    _panel(surface, rect)
    if (t % 1.0) < 0.6:
        pygame.draw.circle(surface, RED, (rect.x + pad + r, rect.centery), r)
    surface.blit(label, label.get_rect(midleft=(rect.x + 2 * pad + 2 * r, rect.centery)))
