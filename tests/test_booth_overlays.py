"""The booth's countdown and REC badge, and the clips' watermark, land where expected and leave the rest alone."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from magicbooth.effects.surface import blit_rgb, new_canvas, read_rgb
from magicbooth.modes import screens
from magicbooth.pipeline.overlay import Watermark
from tests.photos import changed

GREY = np.full((480, 640, 3), 90, np.uint8)


def canvas() -> pygame.Surface:
    c = new_canvas((640, 480))
    blit_rgb(c, GREY)
    return c


def region_of_change(c: pygame.Surface) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(changed(read_rgb(c), GREY, threshold=4))
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_recording_dot_blinks_top_left() -> None:
    on, off = canvas(), canvas()
    screens.recording(on, elapsed=75.0, t=10.2)
    screens.recording(off, elapsed=75.0, t=10.8)
    _, _, x1, y1 = region_of_change(on)
    assert x1 < 320 and y1 < 120
    red = lambda c: ((read_rgb(c)[..., 0] > 200) & (read_rgb(c)[..., 1] < 80)).sum()  # noqa: E731
    assert red(on) > 100 and red(off) == 0


def test_countdown_is_centred_and_ring_shrinks() -> None:
    full, last = canvas(), canvas()
    screens.countdown(full, remaining=3.0, total=3.0)
    screens.countdown(last, remaining=0.5, total=3.0)
    x0, y0, x1, y1 = region_of_change(full)
    assert abs((x0 + x1) / 2 - 320) < 6 and abs((y0 + y1) / 2 - 240) < 6
    white = lambda c: (read_rgb(c).min(axis=2) > 240).sum()  # noqa: E731
    assert white(full) > white(last) > 0
    untouched = canvas()
    screens.countdown(untouched, remaining=0.0, total=3.0)
    assert np.array_equal(read_rgb(untouched), GREY)


def test_watermark_bottom_right_only_when_it_applies() -> None:
    w = canvas()
    Watermark("AI effect").draw(w)
    x0, y0, _, _ = region_of_change(w)
    assert x0 > 400 and y0 > 400
    for mark in (Watermark(""), Watermark("AI effect", applies=lambda: False)):
        blank = canvas()
        mark.draw(blank)
        assert np.array_equal(read_rgb(blank), GREY)
        assert not mark.is_shown


@pytest.mark.parametrize("size", [(320, 240), (1280, 720)])
def test_overlays_scale_with_the_canvas(size: tuple[int, int]) -> None:
    c = new_canvas(size)
    screens.countdown(c, 2.0, 3.0)
    screens.recording(c, 5.0, 0.1)
    Watermark("AI effect").draw(c)
    assert read_rgb(c).any()
