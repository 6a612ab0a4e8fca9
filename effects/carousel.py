"""Live switching between effects (next / previous), for the booth's buttons and keys.

The pipeline's perception stage reads ``needs`` on every frame, so a switch
also moves the models to what the new effect draws with.

Usage::

    carousel = EffectCarousel(("none", "sticker"), start="sticker")
    carousel.next().render(canvas, scene, t)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from magicbooth.core.config import EffectsConfig
from magicbooth.core.errors import EffectError
from magicbooth.effects import registry
from magicbooth.effects.base import Effect

log = logging.getLogger(__name__)


class EffectCarousel:
    """A ring of effects; each is created on first use and reset whenever it comes round again.

    ``catalog`` is the table of effect classes to choose from: the registry's, unless a test
    hands in its own (as gpiozero tests hand in a mock pin factory).
    """

    def __init__(self, names: Sequence[str] | None = None, start: str | None = None,
                 options: Mapping[str, Mapping[str, Any]] | None = None, *,
                 catalog: Mapping[str, type[Effect]] | None = None) -> None:
        self._catalog = dict(catalog) if catalog is not None else registry.available()
        self.names = tuple(names) if names else tuple(self._catalog)
        if not self.names:
            raise EffectError("no effects to switch between")
        for n in self.names:
            self._class(n)  # fail early, listing the valid names
        self._options = {k: dict(v) for k, v in (options or {}).items()}
        for n, given in self._options.items():
            if n not in self.names:
                raise EffectError(f"options given for effect {n!r}, which is not in the carousel "
                                  f"({', '.join(self.names)})")
            self._class(n).Options.parse(given)   # a bad option fails now, not at the first frame
        self._instances: dict[str, Effect] = {}
        if start is not None and start not in self.names:
            raise EffectError(f"unknown effect {start!r}; valid effects: {', '.join(self.names)}")
        self._index = self.names.index(start) if start is not None else 0
        self._home = self._index
        self.when_changed: Callable[[Effect], None] | None = None

    @classmethod
    def from_config(cls, config: EffectsConfig, start: str | None = None) -> EffectCarousel:
        """The carousel the ``[effects]`` section describes; ``start`` (run --effect) wins over its default."""
        names = config.carousel or tuple(registry.available())
        first = start or config.default
        if first not in names:
            registry.get(first)  # an unknown name fails here, listing the valid ones
            names = (first, *names)
        return cls(names, start=first)

    @property
    def current(self) -> Effect:
        name = self.names[self._index]
        if name not in self._instances:
            cls = self._class(name)
            self._instances[name] = cls(cls.Options.parse(self._options.get(name, {})))
        return self._instances[name]

    @property
    def name(self) -> str:
        return self.names[self._index]

    @property
    def index(self) -> int:
        """Position of the current effect in ``names``."""
        return self._index

    @property
    def titles(self) -> tuple[str, ...]:
        """Each effect's title (its name when it has none), in ``names`` order."""
        return tuple(self._class(n).title or n for n in self.names)

    @property
    def needs(self) -> frozenset[str]:
        return self._class(self.name).needs

    def needs_of(self, name: str) -> frozenset[str]:
        """What effect ``name`` draws with (so models can load before it is first shown)."""
        return self._class(name).needs

    def effect_class(self, name: str) -> type[Effect]:
        """The class of effect ``name`` (its title, needs and other class attributes)."""
        return self._class(name)

    def spawn(self, name: str) -> Effect:
        """A new instance of effect ``name`` with the carousel's options, apart from the one drawn live
        (the booth's thumbnails draw each effect small, with state of their own)."""
        cls = self._class(name)
        return cls(cls.Options.parse(self._options.get(name, {})))

    def next(self) -> Effect:
        return self._move(1)

    def previous(self) -> Effect:
        return self._move(-1)

    def on_key(self, key: int) -> bool:
        """Keyboard switching for the booth: right arrow / n next, left arrow / p previous.

        Returns True if the key switched effects, so the caller can stop handling it.
        """
        import pygame

        if key in (pygame.K_RIGHT, pygame.K_n):
            self.next()
        elif key in (pygame.K_LEFT, pygame.K_p):
            self.previous()
        else:
            return False
        return True

    def home(self) -> Effect:
        """Back to the effect the carousel started on (the booth does this when nobody is there)."""
        if self._index == self._home:
            return self.current
        return self._move(self._home - self._index)

    def select(self, name: str) -> Effect:
        if name not in self.names:
            raise EffectError(f"unknown effect {name!r}; valid effects: {', '.join(self.names)}")
        return self._move(self.names.index(name) - self._index)

    def _class(self, name: str) -> type[Effect]:
        if name not in self._catalog:
            raise EffectError(f"unknown effect {name!r}; valid effects: {', '.join(self._catalog)}")
        return self._catalog[name]

    def _move(self, step: int) -> Effect:
        self._index = (self._index + step) % len(self.names)
        fx = self.current
        fx.reset()
        log.info("effect: %s (needs %s)", fx.name, ", ".join(sorted(fx.needs)) or "no models")
        if self.when_changed is not None:
            self.when_changed(fx)
        return fx
