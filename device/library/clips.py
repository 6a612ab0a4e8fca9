"""The clip library on disk: ``clips/<yyyy-mm-dd>/<id>.mp4`` plus a ``<id>.json`` sidecar.

The sidecar is the record every other part reads: the recorder writes it when
a clip is finalised, the upload queue updates ``upload_state``, and retention
only deletes clips whose ``upload_state`` is ``"uploaded"``.
Sidecars are always replaced atomically (write, fsync, rename, fsync dir), so
a pulled plug leaves either the old or the new version, never half of one.

Sidecar keys: ``id``, ``started_at`` (ISO 8601 wall clock, informative only),
``duration_s``, ``frames``, ``dropped_frames``, ``effect``, ``device_id``,
``sha256`` (of the .mp4), ``size_bytes``, ``software_version``,
``upload_state`` (an ``UploadState``: ``off`` | ``queued`` | ``uploading`` | ``uploaded`` | ``failed``),
``upload_error`` (a short reason or ``""``).
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class UploadState(enum.StrEnum):
    """A clip's ``upload_state``, the one spelling of it (the upload queue's database derives its own from it).

    ``off`` means uploads were not configured when the clip was saved; then ``queued`` -> ``uploading``
    -> ``uploaded`` | ``failed``. Only ``uploaded`` clips are deleted by retention without being asked.
    """

    OFF = "off"
    QUEUED = "queued"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    FAILED = "failed"


PARTIAL_DIR = ".partial"


@dataclass(frozen=True)
class Clip:
    """A finalised clip: its video file and its sidecar's contents."""

    video: Path
    meta: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.meta.get("id", self.video.stem))

    @property
    def sidecar(self) -> Path:
        return self.video.with_suffix(".json")

    @property
    def upload_state(self) -> str:
        return str(self.meta.get("upload_state", UploadState.OFF))


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename inside it survives power loss."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def durable_replace(src: Path, dst: Path) -> None:
    """fsync ``src``, rename it over ``dst``, then fsync the directory (PostgreSQL's durable_rename)."""
    with open(src, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(src, dst)
    fsync_dir(dst.parent)


def write_sidecar(video: Path, meta: dict[str, Any]) -> Path:
    """Atomically write ``<video>.json`` with ``meta``."""
    sidecar = video.with_suffix(".json")
    tmp = sidecar.with_name(f".{sidecar.name}.tmp")
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    durable_replace(tmp, sidecar)
    return sidecar


def read_sidecar(video: Path) -> dict[str, Any]:
    """The sidecar of ``video`` as a dict (``{}`` if it has none)."""
    sidecar = video.with_suffix(".json")
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def update_sidecar(video: Path, **changes: Any) -> dict[str, Any]:
    """Atomically change some sidecar keys; returns the new contents."""
    if "upload_state" in changes and changes["upload_state"] not in tuple(UploadState):
        raise ValueError(f"upload_state must be one of {', '.join(UploadState)}")
    meta = read_sidecar(video)
    meta.update(changes)
    write_sidecar(video, meta)
    return meta


def delete_clip(clip: Clip | Path) -> None:
    """Remove a clip (or the clip whose video is at that path): its video, then its sidecar, durably.

    The video goes first, so a crash in between leaves an invisible sidecar, never a video without one;
    an emptied day directory goes too. Retention, ``magicbooth clips delete`` and the booth's retake
    all delete this way.
    """
    video = clip.video if isinstance(clip, Clip) else Path(clip)
    video.unlink(missing_ok=True)
    video.with_suffix(".json").unlink(missing_ok=True)
    fsync_dir(video.parent)
    with contextlib.suppress(OSError):
        video.parent.rmdir()  # only succeeds once the day is empty


def iter_clips(root: Path) -> Iterator[Clip]:
    """Every finalised clip under ``root``, oldest day first (partials excluded)."""
    if not root.is_dir():
        return
    for day in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for video in sorted(day.glob("*.mp4")):
            yield Clip(video, read_sidecar(video))


def find_clip(root: Path, clip_id: str) -> Clip:
    """The clip whose id is ``clip_id`` or starts with it (if only one does)."""
    from magicbooth.core.errors import ClipNotFoundError

    clips = list(iter_clips(root))
    exact = [c for c in clips if c.id == clip_id]
    matches = exact or ([c for c in clips if c.id.startswith(clip_id)] if clip_id else [])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ClipNotFoundError(f"{root}: no clip with id '{clip_id}'; see 'magicbooth clips list'")
    raise ClipNotFoundError(f"{root}: '{clip_id}' matches {len(matches)} clips "
                            f"({', '.join(c.id for c in matches[:3])}...); give more of the id")
