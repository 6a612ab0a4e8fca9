"""The booth's carousel on the real effects and models: perception follows the active effect."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pygame
import pytest

from magicbooth.camera import open_source
from magicbooth.core.config import Config, parse_config
from magicbooth.core.frames import Frame
from magicbooth.modes.effect_deck import EffectDeck


@pytest.fixture
def frames() -> Iterator[list[Frame]]:
    with open_source("sample", parse_config("[camera]\nsize = [320, 240]\n"), realtime=False) as source:
        yield [source.read() for _ in range(12)]


def test_only_the_active_effects_perception_runs(screen: pygame.Surface, frames: list[Frame]) -> None:
    fx = EffectDeck(Config(), ("sticker", "background", "none"))
    deck = fx.deck()
    canvas = pygame.Surface(frames[0].size)
    try:
        assert deck.names[0] == "sticker" and deck.titles[0]
        for frame in frames[:4]:
            deck.draw(canvas, frame, "sticker", frame.t)
        assert fx.running_needs == {"faces", "mesh"}
        deck.draw(canvas, frames[4], "background", frames[4].t)
        assert fx.running_needs == {"mask"}
        deck.draw(canvas, frames[5], "none", frames[5].t)
        assert fx.running_needs == frozenset()
    finally:
        fx.close()
    assert fx.running_needs == frozenset()


def test_watermark_goes_into_what_is_recorded(frames: list[Frame]) -> None:
    marked = EffectDeck(Config(), ("none",))
    plain = EffectDeck(parse_config('[effects]\nwatermark = ""\n'), ("none",))
    try:
        frame = frames[0]
        with_mark, without = marked.render_rgb(frame), plain.render_rgb(frame)
        assert np.array_equal(without, frame.image)              # "none" with no watermark is the camera
        assert not np.array_equal(with_mark, frame.image)        # the watermark is burned in
        assert marked.deck().overlay is not None and plain.deck().overlay is None
    finally:
        marked.close()
        plain.close()
