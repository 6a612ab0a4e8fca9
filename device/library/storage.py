"""Free space and retention for the clip library.

The recorder checks space before and during a clip; the UI, the LED and
``doctor`` read ``storage_status``. Retention deletes the oldest clips whose
sidecar says ``upload_state = "uploaded"``; clips that were never uploaded are
only deleted when ``[storage] delete_unuploaded`` allows it, and a clip being
uploaded right now never is.

The policy is ``level_for``; ``storage_status(root, config.storage)`` applies it to the filesystem
holding ``root`` and counts the clips there, and ``ensure_space`` runs retention and raises
``StorageFullError`` while the level stays ``full``:

>>> policy = StorageConfig(min_free_mb=200, low_free_mb=1000)
>>> level_for(5000 * MB, policy), level_for(500 * MB, policy), level_for(100 * MB, policy)
('ok', 'low', 'full')
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from magicbooth.core.config import StorageConfig
from magicbooth.core.errors import StorageFullError
from magicbooth.library.clips import Clip, UploadState, delete_clip, iter_clips

log = logging.getLogger(__name__)
MB = 1024 * 1024
LEVELS = ("ok", "low", "full")   # storage levels, best first


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged writer can still use on the filesystem holding ``path``."""
    st = os.statvfs(_existing(path))
    return st.f_bavail * st.f_frsize


def total_bytes(path: Path) -> int:
    st = os.statvfs(_existing(path))
    return st.f_blocks * st.f_frsize


def same_filesystem(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` (or, if they do not exist yet, their nearest ancestors) share a filesystem."""
    return _existing(a).stat().st_dev == _existing(b).stat().st_dev


def _existing(path: Path) -> Path:
    """``path``, or its nearest ancestor that exists (a library not created yet lands there)."""
    probe = Path(path).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


@dataclass(frozen=True)
class StorageStatus:
    """What the UI, the LED and ``doctor`` show about the clip disk."""

    root: Path
    free_bytes: int
    total_bytes: int
    level: str
    clips: int
    not_uploaded: int

    @property
    def message(self) -> str:
        free = f"{self.free_bytes / MB:.0f} MB free of {self.total_bytes / MB:.0f} MB"
        return f"{self.root}: {free}, {self.clips} clips ({self.not_uploaded} not uploaded), storage {self.level}"


def level_for(free: int, config: StorageConfig) -> str:
    """``full`` below min_free_mb, ``low`` below low_free_mb, else ``ok``."""
    if free < config.min_free_mb * MB:
        return "full"
    if free < config.low_free_mb * MB:
        return "low"
    return "ok"


def storage_status(root: Path, config: StorageConfig) -> StorageStatus:
    """Free space, level and clip counts of the library at ``root``."""
    free = free_bytes(root)
    clips = list(iter_clips(root))
    pending = sum(1 for c in clips if c.upload_state != UploadState.UPLOADED)
    return StorageStatus(root, free, total_bytes(root), level_for(free, config), len(clips), pending)


def ensure_space(root: Path, config: StorageConfig) -> int:
    """Run retention if space is low; raise StorageFullError if still below the minimum."""
    free = free_bytes(root)
    if free < config.low_free_mb * MB or config.max_age_days:
        enforce_retention(root, config)
        free = free_bytes(root)
    if free < config.min_free_mb * MB:
        raise StorageFullError(
            f"{root}: only {free / MB:.0f} MB free, below [storage] min_free_mb = {config.min_free_mb:g}; "
            f"upload and delete clips ('magicbooth clips delete ID') or allow [storage] delete_unuploaded")
    return free


def _age_days(clip: Clip, now: float) -> float:
    try:
        return (now - clip.video.stat().st_mtime) / 86400
    except FileNotFoundError:
        return 0.0


def enforce_retention(root: Path, config: StorageConfig, now: float | None = None) -> list[Clip]:
    """Delete old clips (uploaded ones first) until space is no longer low; returns what went."""
    now = time.time() if now is None else now
    clips = list(iter_clips(root))
    uploaded = [c for c in clips if c.upload_state == UploadState.UPLOADED]
    others = [c for c in clips if c.upload_state not in (UploadState.UPLOADED, UploadState.UPLOADING)]
    deletable = uploaded + (others if config.delete_unuploaded else [])
    deleted: list[Clip] = []
    if config.max_age_days:
        for clip in deletable:
            if _age_days(clip, now) > config.max_age_days:
                delete_clip(clip)
                deleted.append(clip)
                log.info("retention: deleted %s (older than %d days, %s)", clip.id, config.max_age_days,
                         clip.upload_state)
    for clip in deletable:
        if clip in deleted:
            continue
        if free_bytes(root) >= config.low_free_mb * MB:
            break
        delete_clip(clip)
        deleted.append(clip)
        log.info("retention: deleted %s to free space (%s)", clip.id, clip.upload_state)
    if free_bytes(root) < config.low_free_mb * MB and not config.delete_unuploaded and others:
        log.warning("storage low and %d clips are not uploaded yet; keeping them "
                    "([storage] delete_unuploaded = false)", len(others))
    return deleted
