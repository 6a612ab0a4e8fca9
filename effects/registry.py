"""Find effects by importing every module of the ``effects`` package once.

A module contributes each ``Effect`` subclass it defines with a non-empty ``name``. Adding an
effect is adding a module; nothing else needs to list it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from collections.abc import Mapping
from typing import Any

from magicbooth import effects
from magicbooth.core.errors import EffectError
from magicbooth.effects.base import Effect


@functools.cache
def _discover() -> dict[str, type[Effect]]:
    found: dict[str, type[Effect]] = {}
    for info in pkgutil.iter_modules(effects.__path__):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"magicbooth.effects.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Effect) and obj.name and obj.__module__ == module.__name__:
                if obj.name in found:
                    raise TypeError(f"two effects named {obj.name!r}: {found[obj.name]} and {obj}")
                found[obj.name] = obj
    return dict(sorted(found.items()))


def available() -> dict[str, type[Effect]]:
    """Effect name -> class, sorted by name."""
    return dict(_discover())


def get(name: str) -> type[Effect]:
    """The effect class called ``name``; EffectError listing the valid names otherwise."""
    table = _discover()
    if name not in table:
        raise EffectError(f"unknown effect {name!r}; valid effects: {', '.join(table)}")
    return table[name]


def create(name: str, options: Mapping[str, Any] | None = None) -> Effect:
    """A new effect instance with options parsed from strings or typed values."""
    cls = get(name)
    return cls(cls.Options.parse(options or {}))


def describe() -> list[dict[str, Any]]:
    """``[{"name", "title", "needs"}]`` for listings and ``magicbooth effects --json``."""
    return [{"name": n, "title": c.title, "needs": sorted(c.needs)} for n, c in _discover().items()]
