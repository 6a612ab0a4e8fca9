"""Validated, frozen option sets for effects, parsed from ``KEY=VALUE`` strings.

Each effect declares ``class Options(EffectOptions)`` as a frozen dataclass whose fields use
``magicbooth.core.config.option`` (default, description, choices, limits). Construction validates, so
an ``Options`` instance that exists is a good one.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from magicbooth.core.errors import EffectError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclasses.dataclass(frozen=True)
class EffectOptions:
    """Base of every effect's options; subclasses are frozen dataclasses."""

    effect: ClassVar[str] = "effect"

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            _check(self.effect, f, hints[f.name], getattr(self, f.name))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> Self:
        """Build from strings (``--option`` values) or typed values; EffectError on anything wrong."""
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        typed = {}
        for key, value in values.items():
            if key not in fields:
                valid = ", ".join(fields) or "none"
                raise EffectError(f"effect {cls.effect!r} has no option {key!r}; valid options: {valid}")
            typed[key] = _convert(cls.effect, fields[key], hints[key], value)
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


def _expected(kind: Any, meta: Mapping[str, Any]) -> str:
    if meta.get("choices"):
        return "one of " + ", ".join(map(str, meta["choices"]))
    what = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(kind, str(kind))
    low, high = meta.get("low"), meta.get("high")
    if low is not None and high is not None:
        what += f" from {low} to {high}"
    return what


def _convert(effect: str, f: dataclasses.Field, kind: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if kind is bool:
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError(text)
            return text.lower() in _TRUE
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
    except ValueError:
        raise EffectError(f"effect {effect!r}: option {f.name}={value!r}: expected "
                          f"{_expected(kind, f.metadata)}") from None
    return text


def _check(effect: str, f: dataclasses.Field, kind: Any, value: Any) -> None:
    meta = f.metadata
    bad = f"effect {effect!r}: option {f.name}={value!r}: expected {_expected(kind, meta)}"
    numeric = kind in (int, float)
    if kind is bool and not isinstance(value, bool):
        raise EffectError(bad)
    if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise EffectError(bad)
    if kind is int and not isinstance(value, int):
        raise EffectError(bad)
    if kind is str and not isinstance(value, str):
        raise EffectError(bad)
    if meta.get("choices") and value not in meta["choices"]:
        raise EffectError(bad)
    low, high = meta.get("low"), meta.get("high")
    if numeric and ((low is not None and value < low) or (high is not None and value > high)):
        raise EffectError(bad)
