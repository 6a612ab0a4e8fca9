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
``upload_error`` (a short reason or ``""``); from a live booth also ``quality_levels`` (seconds of the clip
at each quality governor level, ``{"0": 12.4, "2": 2.6}``) and ``quality_level_max``.

One bad file must not stop the booth: a sidecar that cannot be read or has the wrong shape
(truncated, empty, binary, a folder, ``[]``, ``"duration_s": null``...) raises ``SidecarError`` naming
it, and ``iter_clips`` yields its clip with ``problem`` set instead of raising; the recorder's recovery
sets such a sidecar aside (``<id>.json.bad``) and rebuilds it from the video. The library never
follows a symbolic link out of itself: day folders, videos and sidecars that are links are skipped
(``skipped_links`` lists them), so no command, retention or upload reads or deletes through one.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import json
import logging
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from magicbooth.core.errors import ClipNotFoundError, LibraryError, SidecarError

log = logging.getLogger(__name__)


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
SET_ASIDE = ".bad"              # a bad sidecar is renamed <id>.json.bad (then .bad.1, ...)
MAX_SIDECAR_BYTES = 1 << 20     # a sidecar is a few hundred bytes; anything this big is not one
_NUMBER = (int, float)
# The type of every key the recorder and the queue write; other keys are kept as they are.
SIDECAR_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str, "started_at": str, "duration_s": _NUMBER, "frames": int, "dropped_frames": int, "effect": str,
    "device_id": str, "sha256": str, "size_bytes": int, "software_version": str, "upload_state": str,
    "upload_error": str, "encoder": str, "pre_roll_s": _NUMBER, "size": list, "stop_reason": str, "audio": str,
    "quality_levels": dict, "quality_level_max": int,
}


@dataclass(frozen=True)
class Clip:
    """A clip in the library: its video file and its sidecar's contents.

    ``problem`` says what is wrong with it ("sidecar ...: not valid JSON", "video missing"); its ``meta``
    is then ``{}`` and the clip counts as never uploaded.
    """

    video: Path
    meta: dict[str, Any]
    problem: str = ""

    @property
    def id(self) -> str:
        return str(self.meta.get("id", self.video.stem))

    @property
    def sidecar(self) -> Path:
        return self.video.with_suffix(".json")

    @property
    def upload_state(self) -> str:
        return str(self.meta.get("upload_state", UploadState.OFF))

    @property
    def has_video(self) -> bool:
        return self.video.is_file() and not self.video.is_symlink()


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
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)   # never through a link
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        durable_replace(tmp, sidecar)
    except BaseException:
        tmp.unlink(missing_ok=True)   # a full disk must not leave half a sidecar behind
        raise
    return sidecar


def read_sidecar(video: Path) -> dict[str, Any]:
    """The sidecar of ``video`` as a dict (``{}`` if it has none).

    Raises ``SidecarError("<sidecar>: <problem>")`` if it cannot be read (a folder, a symbolic link,
    not UTF-8, not JSON) or is not shaped like a sidecar (not an object, a key of the wrong type, an id
    that is not the video's name).
    """
    sidecar = video.with_suffix(".json")
    try:
        raw = _read_small(sidecar)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        why = "it is a symbolic link (never followed)" if exc.errno == errno.ELOOP else exc.strerror or exc
        raise SidecarError(f"{sidecar}: cannot be read: {why}") from None
    try:
        meta = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise SidecarError(f"{sidecar}: not a sidecar (JSON nested too deeply)") from None
    except UnicodeDecodeError:
        raise SidecarError(f"{sidecar}: not text (binary or damaged)") from None
    except ValueError as exc:   # JSONDecodeError
        what = "empty" if not raw.strip() else f"not valid JSON ({exc})"
        raise SidecarError(f"{sidecar}: {what}") from None
    problem = sidecar_problem(meta, video.stem)
    if problem:
        raise SidecarError(f"{sidecar}: {problem}")
    return meta


def sidecar_problem(meta: Any, stem: str) -> str:
    """What is wrong with parsed sidecar JSON for the clip named ``stem``, or ``""``."""
    if not isinstance(meta, dict):
        return f"not a sidecar (a JSON {type(meta).__name__ if meta is not None else 'null'}, not an object)"
    for key, kind in SIDECAR_TYPES.items():
        if key not in meta:
            continue
        value = meta[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            return f'"{key}" is {json.dumps(value)[:40]}, expected {_kind_name(kind)}'
        if isinstance(value, float) and not math.isfinite(value):
            return f'"{key}" is {value}, expected a finite number'
    if "id" in meta and meta["id"] != stem:
        return f'"id" is {json.dumps(meta["id"])[:60]}, not the file\'s name {stem}'
    if "upload_state" in meta and meta["upload_state"] not in tuple(UploadState):
        return f'"upload_state" is {json.dumps(meta["upload_state"])[:40]}, expected one of {", ".join(UploadState)}'
    return ""


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names: dict[object, str] = {str: "a string", int: "an integer", list: "a list"}
    return names.get(kind, "a number")


def _read_small(path: Path) -> bytes:
    """A regular file's bytes, never through a symbolic link, never more than MAX_SIDECAR_BYTES."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)   # NONBLOCK: a FIFO must not hang us
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        if info.st_size > MAX_SIDECAR_BYTES:
            raise OSError(0, f"{info.st_size} bytes, too large to be a sidecar")
        return os.read(fd, MAX_SIDECAR_BYTES + 1)
    finally:
        os.close(fd)


def set_aside(path: Path) -> Path:
    """Rename a bad sidecar out of the way (``<id>.json.bad``, ``.bad.1`` ...); nothing is deleted."""
    for n in range(1000):
        target = path.with_name(path.name + SET_ASIDE + (f".{n}" if n else ""))
        if not os.path.lexists(target):
            os.rename(path, target)
            fsync_dir(path.parent)
            return target
    raise SidecarError(f"{path}: cannot set it aside, {path.name}{SET_ASIDE}.* are all taken")


def real_folder(folder: Path) -> Path:
    """``folder`` created if missing, as a real folder: a symbolic link in its place is renamed aside
    (``<name>.link``, its target untouched) so that nothing is written through it; a file there is an error."""
    if folder.is_symlink():
        aside = folder.with_name(folder.name + ".link")
        n = 0
        while os.path.lexists(aside):
            n += 1
            aside = folder.with_name(f"{folder.name}.link.{n}")
        os.rename(folder, aside)
        log.warning("%s was a symbolic link; the clip library never writes through one, so it was renamed "
                    "%s and a real folder made", folder, aside.name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LibraryError(f"{folder}: a file is in the way of this folder of the clip library; move it") from None
    return folder


def update_sidecar(video: Path, **changes: Any) -> dict[str, Any]:
    """Atomically change some sidecar keys; returns the new contents (``SidecarError`` if it is unreadable)."""
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
    sidecar = video.with_suffix(".json")
    if sidecar.is_dir() and not sidecar.is_symlink():
        log.warning("%s is a folder, not a sidecar; kept as %s", sidecar, set_aside(sidecar).name)
    else:
        sidecar.unlink(missing_ok=True)
    fsync_dir(video.parent)
    with contextlib.suppress(OSError):
        video.parent.rmdir()  # only succeeds once the day is empty


def _days(root: Path) -> list[Path]:
    """The day folders of the library: real folders only, never a symbolic link out of it."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if not p.name.startswith(".") and not p.is_symlink() and p.is_dir())


def _files(day: Path, pattern: str) -> list[Path]:
    return sorted(p for p in day.glob(pattern) if not p.is_symlink() and p.is_file())


def iter_clips(root: Path) -> Iterator[Clip]:
    """Every finalised clip (a video) under ``root``, oldest day first (partials excluded).

    A clip whose sidecar is unreadable comes with ``meta == {}`` and ``problem`` saying why; it is
    never an exception, so one bad file cannot stop a listing, retention, recovery or the uploader.
    """
    for day in _days(root):
        for video in _files(day, "*.mp4"):
            try:
                yield Clip(video, read_sidecar(video))
            except SidecarError as exc:
                yield Clip(video, {}, f"sidecar {exc}")


def iter_orphans(root: Path) -> Iterator[Clip]:
    """Sidecars whose video is gone (and is not being saved right now): listed so they can be removed."""
    for day in _days(root):
        for sidecar in _files(day, "*.json"):
            video = sidecar.with_suffix(".mp4")
            if os.path.lexists(video) or (root / PARTIAL_DIR / video.name).exists():
                continue   # a clip, or one being finalised (recovery rewrites its sidecar)
            try:
                meta = read_sidecar(video)
            except SidecarError:
                meta = {}
            yield Clip(video, meta, "video missing")


def skipped_links(root: Path) -> list[Path]:
    """Symbolic links inside the library that every part skips (day folders, videos, sidecars)."""
    if not root.is_dir():
        return []
    links = [p for p in root.iterdir() if p.is_symlink() and not p.name.startswith(".")]
    for day in _days(root):
        links += [p for p in day.iterdir() if p.is_symlink() and p.suffix in (".mp4", ".json")]
    return sorted(links)


def find_clip(root: Path, clip_id: str) -> Clip:
    """The clip whose id is ``clip_id`` or starts with it (if only one does); sidecars without video count."""
    clips = [*iter_clips(root), *iter_orphans(root)]
    exact = [c for c in clips if c.id == clip_id]
    matches = exact or ([c for c in clips if c.id.startswith(clip_id)] if clip_id else [])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ClipNotFoundError(f"{root}: no clip with id '{clip_id}'; see 'magicbooth clips list'")
    raise ClipNotFoundError(f"{root}: '{clip_id}' matches {len(matches)} clips "
                            f"({', '.join(c.id for c in matches[:3])}...); give more of the id")
