"""The small interface the modes drive a recorder through, so tests can hand them any recorder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from magicbooth.library.clips import Clip


class RecorderLike(Protocol):
    """What the modes need of ``magicbooth.recording.recorder.Recorder``.

    ``push`` is called with every frame (the recorder keeps its own pre-roll)
    and must not be handed an array the caller changes later; ``when_saved``
    and ``when_failed`` are called from any thread. ``None`` for a pre- or
    post-roll means the recorder's configured value. The recorder may end a
    clip by itself (its own maximum length, a full disk): ``is_recording``
    then turns False. ``close`` waits for the clip being saved (safe to call twice).
    """

    when_saved: Callable[[Any], None] | None
    when_failed: Callable[[Any], None] | None

    @property
    def is_recording(self) -> bool: ...

    def start(self, pre_roll_s: float | None = None, effect: str | None = None) -> Any: ...

    def stop(self, post_roll_s: float | None = None) -> Any: ...

    def push(self, frame_rgb: np.ndarray, t: float) -> Any: ...

    def close(self) -> None: ...


def clip_path(saved: Any) -> Path:
    """The video path of whatever a recorder's ``when_saved`` passed (Clip, path or str)."""
    if isinstance(saved, Clip):
        return saved.video
    if hasattr(saved, "video"):
        return Path(saved.video)
    return Path(saved)
