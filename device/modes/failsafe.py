"""Turn any exception into a short reason a guest can read; the full cause goes to the log and ``doctor``.

pibooth shows "Oops" and hides why; guests here get one human sentence from the
text catalogue (``failsafe.<reason>``) with an icon and when the booth tries again,
never exception text. The error's own line (``detail``) and its traceback go to the
log, and the last one to ``<state dir>/booth-failure.json`` for ``magicbooth doctor``.
"""

from __future__ import annotations

from magicbooth.core.errors import (
    CameraError,
    ConfigError,
    EffectError,
    ModelError,
    RecorderError,
    StorageFullError,
    UploadError,
)
from magicbooth.modes.catalogue import Catalogue

_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (CameraError, "camera"),
    (StorageFullError, "storage"),
    (RecorderError, "recorder"),
    (ModelError, "model"),
    (EffectError, "effect"),
    (ConfigError, "config"),
    (UploadError, "upload"),
    (MemoryError, "memory"),
)
REASONS = (*(key for _, key in _REASONS), "other")


def reason_of(exc: BaseException) -> str:
    """The catalogue key (``failsafe.<key>``) of the human reason for ``exc``; the most specific kind wins."""
    for kind, key in _REASONS:
        if isinstance(exc, kind):
            return key
    return "other"


def detail(exc: BaseException, limit: int = 200) -> str:
    """The error's own first line, shortened, prefixed with its type for unknown kinds (for the log and doctor)."""
    line = (str(exc).strip().splitlines() or [""])[0]
    if not any(isinstance(exc, kind) for kind, _ in _REASONS):
        line = f"{type(exc).__name__}: {line}" if line else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"


def human_reason(exc: BaseException, language: str = "en") -> str:
    """The guest's sentence for ``exc`` in ``language`` (the log and the headless status use English)."""
    return Catalogue.load(language)(f"failsafe.{reason_of(exc)}")
