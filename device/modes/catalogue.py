"""Every guest-facing sentence of the booth, in one catalogue per language.

The texts live in ``assets/booth_text_<language>.toml`` (package data), one table per
screen, so a translator edits one small file and nothing is hard-coded in the screens:
they ask for a key (``"review.keep"``) and get the text in ``[booth] language``. Effects
get short guest-facing names from the ``[effects]`` table (keyed by effect name; an
effect without one is shown by its own title), so effect modules need no change.

>>> text = Catalogue.load("de")
>>> text("review.keep")
'Behalten'
>>> text("review.auto", seconds=12)
'Wird in 12 s behalten'
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any

from magicbooth.core.errors import ConfigError

REFERENCE = "en"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


@functools.cache
def _texts(language: str) -> dict[str, str]:
    resource = resources.files("magicbooth.assets") / f"booth_text_{language}.toml"
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"[booth] language = {language!r}: no text catalogue booth_text_{language}.toml") from None
    return _flatten(data)


class Catalogue:
    """Looks up guest text by key in one language; call it: ``text("saved.scan")``."""

    def __init__(self, language: str, texts: dict[str, str]) -> None:
        self.language = language
        self._texts = texts

    @classmethod
    def load(cls, language: str = REFERENCE) -> Catalogue:
        return cls(language, _texts(language))

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self._texts)

    @property
    def templates(self) -> tuple[str, ...]:
        """Every text of this language (tests check that nothing else reaches the screen)."""
        return tuple(self._texts.values())

    def __call__(self, key: str, **values: Any) -> str:
        """The text for ``key`` with ``{placeholders}`` filled; a key missing here is a bug (KeyError)."""
        text = self._texts[key]
        return text.format(**values) if values else text

    def effect_name(self, name: str, title: str = "") -> str:
        """The guest-facing short name of effect ``name`` (its title, then its name, when the catalogue has none)."""
        return self._texts.get(f"effects.{name}") or title or name
