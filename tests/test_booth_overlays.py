"""The booth's countdown ring and REC state, and the clips' watermark: where they land, and how they are drawn."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from magicbooth.core.config import Config
from magicbooth.effects.surface import blit_rgb, new_canvas, read_rgb
from magicbooth.modes.paint import Paint
from magicbooth.modes.view import BoothView
from magicbooth.pipeline.overlay import Watermark
from tests.photos import changed

GREY = np.full((480, 640, 3), 90, np.uint8)


def canvas(size: tuple[int, int] = (640, 480)) -> pygame.Surface:
    c = new_canvas(size)
    blit_rgb(c, np.full((size[1], size[0], 3), 90, np.uint8))
    return c


def drawn(state: str, size: tuple[int, int] = (800, 480), **values: object) -> tuple[np.ndarray, BoothView]:
    """The state's screen over a grey 4:3 picture, and the view that drew it."""
    view = BoothView(Config(), None)
    screen = new_canvas(size)
    view.show(screen, canvas())
    view.draw(screen, view.moment(state, **values))
    return read_rgb(screen), view


def region_of_change(a: np.ndarray, b: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(changed(a, b, threshold=4))
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_countdown_ring_sits_below_the_face_and_empties() -> None:
    full, view = drawn("countdown", since=0.0)
    late, _ = drawn("countdown", since=2.6)
    lay = view.layout((800, 480), (640, 480))
    cy = lay.ring_centre[1]
    assert cy - lay.ring_radius >= lay.face.bottom              # off the face
    accent = np.all(np.abs(full.astype(int) - view.theme.accent) < 30, axis=-1)
    accent_late = np.all(np.abs(late.astype(int) - view.theme.accent) < 30, axis=-1)
    assert accent.sum() > 4 * accent_late.sum() > 0            # the ring empties as time runs out


def test_countdown_ring_is_anti_aliased_without_holes() -> None:
    screen = pygame.Surface((200, 200))
    screen.fill((0, 0, 0))
    Paint().arc(screen, (100, 100), 80, 10, (255, 255, 255), 1.0)
    px = pygame.surfarray.array3d(screen)[..., 0].T.astype(int)
    angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    on_ring = px[(100 + 80 * np.sin(angles)).astype(int), (100 + 80 * np.cos(angles)).astype(int)]
    assert on_ring.min() >= 250                                 # the middle of the band is solid all round
    soft = ((px > 20) & (px < 235)).sum()
    assert soft > 2 * np.pi * 80                                # soft edges all round, not stair steps
    radial = np.hypot(*np.mgrid[-100:100, -100:100] + 0.5)
    assert px[(radial > 90) | (radial < 70)].max() < 10         # nothing outside the band


def test_recording_badge_frame_and_time_left() -> None:
    on, view = drawn("recording", since=10.2)
    off, _ = drawn("recording", since=10.8)
    lay = view.layout((800, 480), (640, 480))
    red = lambda a: np.all(np.abs(a.astype(int) - view.theme.record) < 40, axis=-1)  # noqa: E731
    badge = red(on)[lay.badge.top:lay.badge.bottom, lay.badge.left:lay.badge.right]
    assert badge.mean() > 0.3                                    # a red badge, top-right of the picture
    frame = red(on)[lay.picture.top + 1, lay.picture.left:lay.picture.right]
    assert frame.mean() > 0.9                                    # a red frame round the picture
    white = lambda a: (a[lay.badge.top:lay.badge.bottom, lay.badge.left:lay.badge.right].min(axis=2) > 240).sum()  # noqa: E731
    assert white(on) > white(off)                                # the dot blinks


def test_watermark_bottom_right_only_when_it_applies() -> None:
    w = canvas()
    Watermark("AI effect").draw(w)
    x0, y0, _, _ = region_of_change(read_rgb(w), GREY)
    assert x0 > 400 and y0 > 400
    assert Watermark("AI effect").area((640, 480)).collidepoint(x0 + 2, y0 + 2)
    for mark in (Watermark(""), Watermark("AI effect", applies=lambda: False)):
        blank = canvas()
        mark.draw(blank)
        assert np.array_equal(read_rgb(blank), GREY)
        assert not mark.is_shown


@pytest.mark.parametrize("size", [(320, 240), (1920, 1080)])
def test_overlays_scale_with_the_screen(size: tuple[int, int]) -> None:
    small, view = drawn("countdown", size, since=0.5)
    lay = view.layout(size, (640, 480))
    assert lay.ring_radius == pytest.approx(75 * min(size) / 480, rel=0.1)
    assert small.any()
