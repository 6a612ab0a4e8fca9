"""Shared fixtures: headless SDL, small generated clips, a default config, mock GPIO pins, a dummy display."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import av
import numpy as np
import pytest

from magicbooth.core.config import Config


def frame_pattern(index: int, size: tuple[int, int] = (160, 120)) -> np.ndarray:
    """An RGB frame whose red channel encodes ``index`` and whose left half is pure blue."""
    w, h = size
    image = np.zeros((h, w, 3), np.uint8)
    image[:, :, 0] = (index * 7) % 256
    image[:, : w // 2, 2] = 255
    return image


def write_clip(path: Path, frames: int, size: tuple[int, int] = (160, 120), fps: int = 30) -> Path:
    """A real H.264 MP4 of ``frames`` pattern frames."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"crf": "12", "preset": "ultrafast"}
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(frame_pattern(i, size), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "clip.mp4", 45)


@pytest.fixture
def mock_pins() -> Iterator[Any]:
    """gpiozero's MockFactory as the default pin factory for one test (edge callbacks fire synchronously)."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


@pytest.fixture
def screen() -> Iterator[Any]:
    """A real pygame display on SDL's dummy driver."""
    import pygame

    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode((320, 240))
    yield surface
    pygame.display.quit()


@pytest.fixture
def spoken(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every line of text the booth's screens render during the test (the font is wrapped to note them)."""
    from magicbooth.modes import paint

    said: list[str] = []
    real = paint.font

    class Noting:
        def __init__(self, face: Any) -> None:
            self.face = face

        def render(self, text: str, *args: Any) -> Any:
            said.append(text)
            return self.face.render(text, *args)

        def size(self, text: str) -> Any:
            return self.face.size(text)

    monkeypatch.setattr(paint, "font", lambda *a, **k: Noting(real(*a, **k)))
    paint.Paint.label.cache_clear()
    yield said
    paint.Paint.label.cache_clear()
