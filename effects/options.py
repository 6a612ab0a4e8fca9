"""Validated, frozen option sets for effects, parsed from ``KEY=VALUE`` strings.

Each effect declares ``class Options(EffectOptions)`` as a frozen dataclass whose fields use
``magicbooth.core.options.option`` (default, description, choices, limits). Construction validates with
the same ``check`` the config file uses, so an ``Options`` instance that exists is a good one.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from magicbooth.core.errors import EffectError
from magicbooth.core.options import check, from_text


@dataclasses.dataclass(frozen=True)
class EffectOptions:
    """Base of every effect's options; subclasses are frozen dataclasses."""

    effect: ClassVar[str] = "effect"

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            typed = check(hints[f.name], f.metadata, value, f"effect {self.effect!r}: option {f.name}={value!r}",
                          EffectError)
            object.__setattr__(self, f.name, typed)   # an int given for a float field becomes a float

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> Self:
        """Build from strings (``--option`` values) or typed values; EffectError on anything wrong."""
        hints = typing.get_type_hints(cls)
        fields = [f.name for f in dataclasses.fields(cls)]
        typed = {}
        for key, value in values.items():
            if key not in fields:
                valid = ", ".join(fields) or "none"
                raise EffectError(f"effect {cls.effect!r} has no option {key!r}; valid options: {valid}")
            typed[key] = from_text(hints[key], value) if isinstance(value, str) else value
        return cls(**typed)

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One dict per option: name, default, doc, choices, low, high (for listings)."""
        out = []
        for f in dataclasses.fields(cls):
            meta = dict(f.metadata)
            out.append({"name": f.name, "default": f.default, "doc": meta.get("doc", ""),
                        "choices": list(meta.get("choices", ())), "low": meta.get("low"), "high": meta.get("high")})
        return out
