"""A clip's way from ``clips/.partial/<id>.mp4`` to ``clips/<yyyy-mm-dd>/<id>.mp4`` + sidecar.

Order, chosen so that a pulled plug at any step loses nothing and leaves the
library consistent:
1. (optional) mux the audio into ``.partial/<id>.final.mp4``; the partial stays;
2. fsync the file and hash it;
3. write the sidecar ``<day>/<id>.json`` atomically;
4. durable-rename the video into ``<day>/`` (fsync file, rename, fsync dir);
5. remove the partial if a muxed copy replaced it.
Only after step 4 is the clip "saved". A video in the library therefore always
has its sidecar; a sidecar without a video is invisible and is rewritten when
recovery finalises the partial again.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from magicbooth import __version__
from magicbooth.core.errors import PartialInUseError
from magicbooth.library.clips import PARTIAL_DIR, Clip, UploadState, durable_replace, fsync_dir, write_sidecar

log = logging.getLogger(__name__)


class PartialLock:
    """An exclusive ``flock`` on a partial, held from its creation until it is finalised.

    Recovery (in this or another process, e.g. ``magicbooth record`` from cron
    next to the booth) skips locked partials; a killed recorder's lock goes
    with its process, so its partial becomes recoverable.
    """

    def __init__(self, path: Path, create: bool = False) -> None:
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0)
        self.path = path
        self._fd: int | None = os.open(path, flags, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            raise PartialInUseError(f"{path} is in use by a running recorder") from None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def new_clip_id(now: datetime | None = None) -> str:
    """``YYYYmmdd-HHMMSS-xxxxxx`` in UTC: sorts by time, unique without coordination."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def partial_path(root: Path, clip_id: str) -> Path:
    return root / PARTIAL_DIR / f"{clip_id}.mp4"


def final_path(root: Path, clip_id: str, started_at: datetime) -> Path:
    return root / f"{started_at.astimezone(UTC):%Y-%m-%d}" / f"{clip_id}.mp4"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def base_meta(clip_id: str, started_at: datetime, device_id: str, effect: str) -> dict[str, Any]:
    """The sidecar keys known when a clip starts (see ``library.clips`` for the contract)."""
    return {"id": clip_id, "started_at": started_at.astimezone(UTC).isoformat(timespec="milliseconds"),
            "device_id": device_id, "effect": effect, "software_version": __version__,
            "upload_state": UploadState.OFF, "upload_error": ""}


def finalise(partial: Path, root: Path, meta: dict[str, Any],
             add_audio: Callable[[Path, Path], None] | None = None) -> Clip:
    """Turn a closed partial into a saved library clip; returns it.

    ``add_audio(src, dst)`` writes a copy of ``src`` with audio to ``dst``.
    If it fails, the clip is saved without audio rather than not at all.
    """
    started_at = datetime.fromisoformat(meta["started_at"])
    final = final_path(root, meta["id"], started_at)
    final.parent.mkdir(parents=True, exist_ok=True)
    source = partial
    if add_audio is not None:
        muxed = partial.with_name(f"{partial.stem}.final.mp4")
        try:
            add_audio(partial, muxed)
            source = muxed
        except (OSError, ValueError) as exc:
            log.warning("%s: saving without audio: %s", meta["id"], exc)
            muxed.unlink(missing_ok=True)
            meta = {**meta, "audio": "none", "audio_error": str(exc)}
    with open(source, "rb+") as fh:
        os.fsync(fh.fileno())
    meta = {**meta, "sha256": sha256_of(source), "size_bytes": source.stat().st_size}
    write_sidecar(final, meta)
    durable_replace(source, final)
    if source != partial:
        partial.unlink(missing_ok=True)
        fsync_dir(partial.parent)
    log.info("saved clip %s (%.1f s, %d frames, %d dropped) -> %s", meta["id"], meta.get("duration_s", 0.0),
             meta.get("frames", 0), meta.get("dropped_frames", 0), final)
    return Clip(final, meta)
