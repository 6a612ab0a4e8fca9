"""Writes one clip's video packets into a crash-safe fragmented MP4 in ``clips/.partial/``.

Why each option (each was measured to matter on this kind of machine):
- fragmented MP4: a plain MP4 killed mid-write decodes to 0 frames; a fragmented
  one plays up to its last fragment. ``hybrid_fragmented`` (FFmpeg >= 8) is
  fragmented while recording and an ordinary MP4 once closed, so it is preferred.
- ``flush_packets=1``: otherwise the muxer's IO buffer holds seconds of video.
- an fsync after each fragment: ``kill -9`` keeps the page cache, a pulled plug does not.
"""

from __future__ import annotations

import errno
import json
import logging
import os
from pathlib import Path
from typing import Any

import av

from magicbooth.core.errors import RecorderError, StorageFullError
from magicbooth.library.clips import fsync_dir
from magicbooth.recording.encoder import EncodedPacket
from magicbooth.recording.finalise import PartialLock

log = logging.getLogger(__name__)

FRAGMENTED = "+frag_keyframe+empty_moov+default_base_moof"
HYBRID = "+hybrid_fragmented"
META_KEY = "comment"


def best_movflags() -> str:
    """``+hybrid_fragmented`` where the bundled FFmpeg knows it, else classic fragmented MP4."""
    return HYBRID if av.ffmpeg_version_info and _ffmpeg_major() >= 8 else FRAGMENTED


def _ffmpeg_major() -> int:
    try:
        return int(str(av.ffmpeg_version_info).lstrip("n").split(".")[0])
    except ValueError:
        return 0


def is_disk_full(exc: BaseException) -> bool:
    """True for ENOSPC/EDQUOT, whether raised by Python or by FFmpeg through PyAV."""
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)


def as_recorder_error(exc: BaseException, path: Path) -> RecorderError:
    """Turn an IO failure while writing ``path`` into our hierarchy, disk-full made explicit."""
    if is_disk_full(exc):
        return StorageFullError(f"{path}: disk full while recording ({exc}); the clip was kept up to "
                                f"its last fragment; free space or lower [recorder] max_clip_s")
    return RecorderError(f"{path}: writing the clip failed: {exc}")


class ClipWriter:
    """A fragmented MP4 with one H.264 track copied from the encoder's template stream.

    The first packet written must be a keyframe; timestamps are shifted so the clip starts at 0.
    """

    def __init__(self, path: Path, template: av.video.stream.VideoStream, movflags: str | None = None,
                 fsync_fragments: bool = True, metadata: dict[str, Any] | None = None) -> None:
        self.path = path
        self.frames = 0
        self.first_t: float | None = None
        self.last_t: float | None = None
        self._offset: int | None = None
        self._fsync_fragments = fsync_fragments
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created and locked before FFmpeg opens it, so recovery never sees it unlocked.
        try:
            self.lock = PartialLock(path, create=True)
        except OSError as exc:
            raise as_recorder_error(exc, path) from exc
        try:
            flags = best_movflags() if movflags is None else movflags
            options = {"flush_packets": "1", **({"movflags": flags} if flags else {})}  # "": plain MP4
            self._container = av.open(str(path), "w", format="mp4", options=options)
            self._stream = self._container.add_stream_from_template(template)
            if metadata:  # lands in the header, so recovery can read it back from a cut-off file
                self._container.metadata[META_KEY] = json.dumps(metadata, sort_keys=True)
            self._container.start_encoding()  # the header now, so that a salvage can put it back
            self._fd = os.open(path, os.O_RDWR)
            # What a salvage restores: the fragmented header, and the end of the last whole fragment.
            self._header = os.pread(self._fd, os.fstat(self._fd).st_size, 0)
        except (av.FFmpegError, OSError) as exc:
            self.lock.release()
            raise as_recorder_error(exc, path) from exc
        # (file size, frames, last_t) at the last fragment end
        self._good: tuple[int, int, float | None] = (len(self._header), 0, None)
        self._broken = False
        self._closed = False

    def write(self, item: EncodedPacket) -> None:
        """Mux one packet; fsync once per fragment (each keyframe starts one)."""
        if self._offset is None:
            if not item.keyframe:
                raise RecorderError(f"{self.path}: a clip must start at a keyframe")
            self._offset = item.dts
            self.first_t = item.t
        packet = item.packet
        packet.stream = self._stream
        packet.pts = item.pts - self._offset
        packet.dts = item.dts - self._offset
        try:
            self._container.mux(packet)
            if item.keyframe and self.frames:  # the previous fragment has just been written out
                if self._fsync_fragments:
                    os.fsync(self._fd)
                    if not self._good[1]:
                        fsync_dir(self.path.parent)  # the new file's name survives a power cut too
                self._good = (os.fstat(self._fd).st_size, self.frames, self.last_t)
        except (av.FFmpegError, OSError) as exc:
            self._broken = True
            raise as_recorder_error(exc, self.path) from exc
        self.frames += 1
        self.last_t = item.t

    def close(self) -> None:
        """Finish the file (index for hybrid MP4) and fsync it; safe to call twice.

        ``lock`` stays held: whoever finalises the clip releases it.

        If a write or the close itself failed (e.g. the disk is full), the file
        is cut back to its last whole fragment with its fragmented header, so it
        plays cleanly; ``frames`` and ``last_t`` then describe what was kept.
        """
        if self._closed:
            return
        self._closed = True
        error: BaseException | None = None
        try:
            self._container.close()
        except (av.FFmpegError, OSError) as exc:
            error = exc
        try:
            if self._broken or error is not None:
                self._salvage()
            os.fsync(self._fd)
        except OSError as exc:
            error = error or exc
        finally:
            os.close(self._fd)
        if error is not None:
            raise as_recorder_error(error, self.path) from error

    def _salvage(self) -> None:
        """Truncate to the end of the last whole fragment and put the fragmented header back.

        Both steps only shrink or overwrite the file, so they work on a full disk.
        """
        size, frames, last_t = self._good
        os.ftruncate(self._fd, size)
        os.pwrite(self._fd, self._header, 0)  # hybrid MP4 may have started to turn it into a plain one
        self.frames, self.last_t = frames, last_t
        log.warning("%s: cut back to its last whole fragment (%d frames)", self.path, frames)
