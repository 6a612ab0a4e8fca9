"""Turn any exception into a short reason a guest can read; the full cause goes to the log.

pibooth shows "Oops" and hides why; here the screen says what went wrong in a
few words, and a second, smaller line carries the error's own one-line message
for whoever maintains the booth.
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

_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (CameraError, "Camera disconnected, reconnecting…"),
    (StorageFullError, "Storage is full: recording is paused"),
    (RecorderError, "The clip could not be saved, please try again"),
    (ModelError, "An effect could not load its model"),
    (EffectError, "This effect failed, please pick another"),
    (ConfigError, "Configuration error"),
    (UploadError, "Upload problem: clips are kept and retried"),
    (MemoryError, "Out of memory, recovering…"),
)


def human_reason(exc: BaseException) -> str:
    """A short, human sentence for ``exc`` (the most specific known kind wins)."""
    for kind, reason in _REASONS:
        if isinstance(exc, kind):
            return reason
    return "Something went wrong, restarting the booth…"


def detail(exc: BaseException, limit: int = 90) -> str:
    """The error's own first line, shortened, prefixed with its type for unknown kinds."""
    line = (str(exc).strip().splitlines() or [""])[0]
    if not any(isinstance(exc, kind) for kind, _ in _REASONS):
        line = f"{type(exc).__name__}: {line}" if line else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"
