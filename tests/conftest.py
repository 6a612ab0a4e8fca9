"""Fixtures for the mode tests: gpiozero's mock pins and a pygame display on the dummy driver."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


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
