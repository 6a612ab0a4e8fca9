"""Declared options, checked one way: config sections and effect options both use ``option()`` and ``check``.

A field made with ``option()`` carries its description, its choices and its numeric limits in the
dataclass field's metadata. ``check`` is the only place that decides whether a value fits such a field,
and ``expected`` the only place that says what would, so ``[camera] fps = 0`` in a config file and
``--option scale=9`` on an effect get the same rule and the same wording.

>>> from dataclasses import dataclass, fields
>>> @dataclass(frozen=True)
... class Demo:
...     fps: int = option(30, "Frames per second.", low=1, high=120)
>>> meta = fields(Demo)[0].metadata
>>> check(int, meta, 25, "fps = 25", ValueError)
25
>>> check(int, meta, 0, "fps = 0", ValueError)
Traceback (most recent call last):
ValueError: fps = 0: expected an integer from 1 to 120
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from dataclasses import field
from typing import Any

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_BAD = object()


def option(default: Any, doc: str, *, choices: tuple[Any, ...] = (), low: float | None = None,
           high: float | None = None, pattern: tuple[str, str] | None = None) -> Any:
    """Declare a dataclass field with its description, choices and limits (tuples, not lists, for sequences).

    ``pattern`` is (regular expression, what it means in words) for a string that must have a form,
    such as a colour; the empty string always passes (it means "not set").
    """
    if isinstance(default, (list, dict)):
        raise TypeError("use tuples for sequence defaults")
    return field(default=default, metadata={"doc": doc, "choices": choices, "low": low, "high": high,
                                            "pattern": pattern})


def check(kind: Any, meta: Mapping[str, Any], value: Any, where: str, error: type[Exception]) -> Any:
    """``value`` typed as ``kind`` if it fits the type, choices and limits in ``meta``.

    Otherwise raise ``error(f"{where}: expected ...")``. An int is accepted for a float (and becomes one);
    a bool is never a number.
    """
    result = _typed(kind, value)
    if result is _BAD:
        raise error(f"{where}: expected {_kind(kind)}{limits(meta)}")
    if meta.get("choices") and result not in meta["choices"]:
        raise error(f"{where}: expected {expected(kind, meta)}")
    pattern = meta.get("pattern")
    if pattern and isinstance(result, str) and result and not re.fullmatch(pattern[0], result):
        raise error(f"{where}: expected {pattern[1]}")
    low, high = meta.get("low"), meta.get("high")
    for number in result if isinstance(result, tuple) else (result,):
        numeric = isinstance(number, (int, float)) and not isinstance(number, bool)
        if numeric and ((low is not None and number < low) or (high is not None and number > high)):
            raise error(f"{where}: expected {expected(kind, meta)}")
    return result


def from_text(kind: Any, text: str) -> Any:
    """A command-line word as ``kind`` (bool words, int, float); text that does not parse is returned as is,
    so that ``check`` reports it.

    >>> from_text(bool, "Yes"), from_text(int, "3"), from_text(float, "0.5"), from_text(int, "x")
    (True, 3, 0.5, 'x')
    """
    word = text.strip()
    try:
        if kind is bool:
            lower = word.lower()
            return lower in _TRUE if lower in _TRUE | _FALSE else text
        if kind is int:
            return int(word)
        if kind is float:
            return float(word)
    except ValueError:
        return text
    return word if kind is str else text


def expected(kind: Any, meta: Mapping[str, Any]) -> str:
    """What a field accepts, in words: ``one of a, b`` or ``an integer from 1 to 120``."""
    if meta.get("choices"):
        return "one of " + ", ".join(map(str, meta["choices"]))
    return _kind(kind) + limits(meta)


def limits(meta: Mapping[str, Any]) -> str:
    """`` from 1 to 120``, `` of at least 0`` or ``""``."""
    low, high = meta.get("low"), meta.get("high")
    if low is not None and high is not None:
        return f" from {_num(low)} to {_num(high)}"
    if low is not None:
        return f" of at least {_num(low)}"
    if high is not None:
        return f" of at most {_num(high)}"
    return ""


def _typed(kind: Any, value: Any) -> Any:
    """``value`` as ``kind``, or ``_BAD``."""
    if kind is bool:
        return value if isinstance(value, bool) else _BAD
    if kind is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _BAD
    if kind is float:
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _BAD
    if kind is str:
        return value if isinstance(value, str) else _BAD
    if typing.get_origin(kind) is tuple:
        item_kind, count = _tuple_shape(kind)
        if not isinstance(value, (list, tuple)) or (count is not None and len(value) != count):
            return _BAD
        items = tuple(_typed(item_kind, v) for v in value)
        return _BAD if any(i is _BAD for i in items) else items
    raise TypeError(f"unsupported option type {kind}")


def _kind(kind: Any) -> str:
    if typing.get_origin(kind) is tuple:
        item_kind, count = _tuple_shape(kind)
        return f"a list of {count} {_plural(item_kind)}" if count else f"a list of {_plural(item_kind)}"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(kind, str(kind))


def _tuple_shape(kind: Any) -> tuple[Any, int | None]:
    """(item type, fixed length or None) of ``tuple[int, int]`` / ``tuple[str, ...]``."""
    args = typing.get_args(kind)
    if len(args) == 2 and args[1] is Ellipsis:
        return args[0], None
    return args[0], len(args)


def _plural(kind: Any) -> str:
    return {int: "integers", float: "numbers", str: "strings", bool: "booleans"}.get(kind, str(kind))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
