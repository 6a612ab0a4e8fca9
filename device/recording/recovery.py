"""Recovery at start-up: every partial a crash left behind becomes a library clip.

A partial is a fragmented MP4 cut off somewhere after its last complete
fragment. Recovery copies everything that still demuxes into an ordinary MP4
(adding the configured music), writes the sidecar and renames it into the
library, like a normal finalisation. Nothing is silently deleted:
- a partial with no playable frame is renamed ``<id>.unplayable.mp4`` and logged;
- a half-written audio copy (``<id>.final.mp4``) is removed, with a log line,
  because the partial it was copied from is still there;
- a partial whose clip already reached the library (a crash between the rename
  and the clean-up) is removed, with a log line, since the library copy is complete.
Library videos without a sidecar get one.

Usage::

    recovered = recover_partials(root, config, when_saved=queue.enqueue)   # the clips it saved
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av

from magicbooth.core.config import Config
from magicbooth.core.errors import PartialInUseError, RecorderError
from magicbooth.core.machine import device_id
from magicbooth.library.clips import PARTIAL_DIR, Clip, iter_clips, write_sidecar
from magicbooth.recording import finalise
from magicbooth.recording.audio import music_file, soundtrack
from magicbooth.recording.clip_writer import META_KEY
from magicbooth.recording.remux import remux

log = logging.getLogger(__name__)


def _clip_partials(root: Path) -> list[Path]:
    folder = root / PARTIAL_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.mp4") if "." not in p.stem)


def _meta_from_partial(partial: Path, stored: dict[str, str], device: str) -> dict[str, Any]:
    try:
        meta = json.loads(stored.get(META_KEY, "{}"))
    except ValueError:
        meta = {}
    if not meta.get("started_at"):
        started = datetime.fromtimestamp(partial.stat().st_mtime, UTC)
        meta = finalise.base_meta(partial.stem, started, device, "")
    meta["id"] = partial.stem
    return meta


def recover_partial(partial: Path, root: Path, config: Config) -> Clip | None:
    """Finalise one partial; returns the clip, or None if nothing in it plays or it is in use."""
    try:
        lock = finalise.PartialLock(partial)
    except PartialInUseError:
        log.info("recovery: %s is being recorded by a running recorder; left alone", partial.name)
        return None
    try:
        return _recover(partial, root, config)
    finally:
        lock.release()


def _recover(partial: Path, root: Path, config: Config) -> Clip | None:
    clip_id = partial.stem
    for name in (f"{clip_id}.final.mp4", f"{clip_id}.recovered.mp4"):
        if (partial.parent / name).exists():
            log.info("recovery: removing %s, an unfinished copy of %s", name, partial.name)
            (partial.parent / name).unlink()
    copy = partial.with_name(f"{clip_id}.recovered.mp4")
    done = [c for c in iter_clips(root) if c.id == clip_id and c.meta.get("sha256")]
    if done:
        log.info("recovery: %s is already saved as %s; removing the leftover partial", clip_id, done[0].video)
        partial.unlink()
        return done[0]
    try:
        probe = remux(partial, copy)
    except RecorderError as exc:
        probe = None
        log.warning("recovery: %s", exc)
    if probe is None or probe.frames == 0:
        copy.unlink(missing_ok=True)
        kept = partial.with_name(f"{clip_id}.unplayable.mp4")
        partial.rename(kept)
        log.warning("recovery: %s has no playable frame; kept as %s for inspection", partial.name, kept)
        return None
    meta = _meta_from_partial(partial, probe.metadata, device_id(config.device.id))
    meta.update(duration_s=probe.duration_s, frames=probe.frames, dropped_frames=meta.get("dropped_frames", 0),
                stop_reason="recovered", audio="none")
    track = music_file(config.audio)
    if track is not None:
        audio = config.audio

        def add_music(src: Path, dst: Path) -> None:
            remux(copy, dst, soundtrack(audio, 0.0, probe.duration_s), audio.sample_rate, audio.bitrate_kbps)

        meta["audio"] = "music"
        add: Callable[[Path, Path], None] = add_music
    else:
        def add(src: Path, dst: Path) -> None:
            copy.replace(dst)

    clip = finalise.finalise(partial, root, meta, add)
    copy.unlink(missing_ok=True)
    log.info("recovery: %s recovered, %.1f s playable", clip_id, probe.duration_s)
    return clip


def recover_partials(root: Path, config: Config,
                     when_saved: Callable[[Clip], None] | None = None) -> list[Clip]:
    """Recover every leftover partial under ``root``; hand each recovered clip to ``when_saved``."""
    recovered: list[Clip] = []
    for partial in _clip_partials(root):
        try:
            clip = recover_partial(partial, root, config)
        except (OSError, ValueError, av.FFmpegError) as exc:
            log.error("recovery: %s could not be recovered (%s); it is left in place", partial, exc)
            continue
        if clip is not None:
            recovered.append(clip)
            if when_saved is not None:
                when_saved(clip)
    for clip in iter_clips(root):
        if not clip.meta:
            _add_missing_sidecar(clip, config)
    return recovered


def _add_missing_sidecar(clip: Clip, config: Config) -> None:
    """Give a library video without a sidecar one, from what the file itself says."""
    try:
        with av.open(str(clip.video)) as c:
            stream = c.streams.video[0]
            frames = stream.frames
            duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0.0
            stored = dict(c.metadata)
    except (av.FFmpegError, IndexError) as exc:
        log.warning("recovery: %s has no sidecar and cannot be read (%s); left alone", clip.video, exc)
        return
    meta = _meta_from_partial(clip.video, stored, device_id(config.device.id))
    meta.update(duration_s=round(duration, 3), frames=frames, dropped_frames=0, stop_reason="recovered",
                sha256=finalise.sha256_of(clip.video), size_bytes=clip.video.stat().st_size)
    write_sidecar(clip.video, meta)
    log.info("recovery: wrote the missing sidecar of %s", clip.video)
