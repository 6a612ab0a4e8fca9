"""Live switching between effects (next / previous), for the booth's buttons and keys.

>>> carousel = EffectCarousel(start="sticker")
>>> carousel.when_changed = lambda fx: perception.set_needs(fx.needs)
>>> carousel.next().render(canvas, scene, t)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from magicbooth.core.config import EffectsConfig
from magicbooth.core.errors import EffectError
from magicbooth.effects import registry
from magicbooth.effects.base import Effect


class EffectCarousel:
    """A ring of effects; each is created on first use and reset whenever it comes round again."""

    def __init__(self, names: Sequence[str] | None = None, start: str | None = None,
                 options: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.names = tuple(names) if names else tuple(registry.available())
        if not self.names:
            raise EffectError("no effects to switch between")
        for n in self.names:
            registry.get(n)  # fail early, listing the valid names
        self._options = {k: dict(v) for k, v in (options or {}).items()}
        for n in self._options:
            if n not in self.names:
                raise EffectError(f"options given for effect {n!r}, which is not in the carousel "
                                  f"({', '.join(self.names)})")
        self._instances: dict[str, Effect] = {}
        if start is not None and start not in self.names:
            raise EffectError(f"unknown effect {start!r}; valid effects: {', '.join(self.names)}")
        self._index = self.names.index(start) if start is not None else 0
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
            self._instances[name] = registry.create(name, self._options.get(name))
        return self._instances[name]

    @property
    def name(self) -> str:
        return self.names[self._index]

    @property
    def needs(self) -> frozenset[str]:
        return registry.get(self.name).needs

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

    def select(self, name: str) -> Effect:
        if name not in self.names:
            raise EffectError(f"unknown effect {name!r}; valid effects: {', '.join(self.names)}")
        return self._move(self.names.index(name) - self._index)

    def _move(self, step: int) -> Effect:
        self._index = (self._index + step) % len(self.names)
        fx = self.current
        fx.reset()
        if self.when_changed is not None:
            self.when_changed(fx)
        return fx
