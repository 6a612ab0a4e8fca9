"""The booth's carousel on the real effects, each fed by the perception it needs.

Models load once per distinct ``needs`` set, all before the booth reports
READY; only the active effect's perception workers run (DESIGN: perception
runs only what the active effect needs). The watermark is the deck's
overlay: burned into the clips, and drawn unmirrored over the preview.

>>> fx = EffectDeck(config)                  # [effects] carousel and default
>>> booth = Booth(config, feed, recorder, screen, deck=fx.deck())
>>> rgb = EffectDeck(config, ("sticker",)).render_rgb(frame)   # headless: one effect, no screen
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pygame

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Scene
from magicbooth.effects import registry
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.effects.hud import Hud
from magicbooth.modes.deck import RAW, Deck
from magicbooth.perception.switch import PerceptionSwitch

log = logging.getLogger(__name__)


class EffectDeck:
    """Effects in carousel order with their perception; ``close()`` stops the model workers."""

    def __init__(self, config: Config, names: Sequence[str] | None = None, *, live: bool = True) -> None:
        self._config = config
        if names:
            self._carousel = EffectCarousel(names)
        else:
            self._carousel = EffectCarousel.from_config(config.effects)
        self._hud = Hud(config.effects.watermark)
        classes = registry.available()
        self.names = self._carousel.names
        self.titles = tuple(classes[n].title or n for n in self.names)
        self._perception = PerceptionSwitch(config, live=live, preload={classes[n].needs for n in self.names})
        self._canvas: pygame.Surface | None = None
        log.info("effects ready: %s (models for %d perception sets)", ", ".join(self.names),
                 self._perception.loaded)

    @property
    def running_needs(self) -> frozenset[str]:
        """What the running perception computes (empty when the active effect needs nothing)."""
        return self._perception.running_needs

    def deck(self) -> Deck:
        """The ``Deck`` the booth drives, starting at ``[effects] default``."""
        first = self._carousel.name
        names = (first, *(n for n in self.names if n != first))
        titles = tuple(self.titles[self.names.index(n)] for n in names)
        overlay = self._hud.watermark if self._config.effects.watermark else None
        return Deck(names, titles, self.draw, frozenset({RAW}), overlay)

    def draw(self, canvas: pygame.Surface, frame: Frame, name: str, t: float) -> None:
        """Render effect ``name`` for ``frame`` onto ``canvas`` (frame size); the watermark is the deck's overlay."""
        if name != self._carousel.name:
            self._carousel.select(name)
        effect = self._carousel.current
        effect.render(canvas, self._scene(effect.needs, frame), t)

    def render_rgb(self, frame: Frame) -> np.ndarray:
        """The current effect on ``frame`` as a fresh H×W×3 RGB array (headless recording)."""
        if self._canvas is None or self._canvas.get_size() != frame.size:
            self._canvas = pygame.Surface(frame.size)
        self.draw(self._canvas, frame, self._carousel.name, frame.t)
        self._hud.watermark(self._canvas)
        view = pygame.surfarray.pixels3d(self._canvas)
        try:
            return np.ascontiguousarray(view.transpose(1, 0, 2))
        finally:
            del view

    def _scene(self, needs: frozenset[str], frame: Frame) -> Scene:
        self._perception.use(needs)
        return self._perception.scene(frame)

    def close(self) -> None:
        """Stop the running model workers (raises ``WorkerError`` if one will not end)."""
        self._perception.stop()
