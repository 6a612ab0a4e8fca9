"""One error hierarchy: every exception magicbooth defines is a MagicboothError that also inherits a builtin."""

from __future__ import annotations

import builtins
import importlib
import inspect
import pkgutil

import magicbooth
from magicbooth.core.errors import MagicboothError

BUILTIN_ERRORS = tuple(v for v in vars(builtins).values()
                       if isinstance(v, type) and issubclass(v, Exception) and v is not Exception)


def _modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(magicbooth.__path__, "magicbooth.")]


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for name in _modules():
        module = importlib.import_module(name)
        found += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if issubclass(obj, BaseException) and obj.__module__ == name]
    return found


def test_every_exception_is_a_magicbooth_error_and_a_builtin_one() -> None:
    classes = _exception_classes()
    assert len(classes) > 20
    outside = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, MagicboothError)]
    assert outside == []
    plain = [c.__qualname__ for c in classes if c is not MagicboothError and not issubclass(c, BUILTIN_ERRORS)]
    assert plain == []


def test_each_error_is_defined_once() -> None:
    names = [c.__qualname__ for c in _exception_classes()]
    assert sorted({n for n in names if names.count(n) > 1}) == []
