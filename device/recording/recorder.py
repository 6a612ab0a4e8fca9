"""The clip recorder: composited frames in, crash-safe H.264 clips with pre-roll out.

The render loop calls ``push(image, t)`` for every frame; it never blocks: a
bounded queue feeds one encoder thread, and when the queue is full the oldest
frame is dropped and counted (the count goes into the clip's sidecar). The
encoder runs all the time so the pre-roll holds *encoded* packets.
``start()`` writes the pre-roll and then the live frames into
``clips/.partial/<id>.mp4``; ``stop()`` honours a post-roll, and a clip also
ends at ``max_clip_s``, when space runs low, or when the disk is full. Closing
files, audio, hashing and the durable rename run on a finaliser thread, then
``when_saved(clip)`` hands the clip on (to the upload queue).

Usage::

    with Recorder(config, size=(640, 480), fps=30, when_saved=print) as rec:
        rec.push(image, t)          # every frame, from the render loop
        rec.start()                 # includes the last [recorder] pre_roll_s seconds
        clip = rec.stop(post_roll_s=1.0).result(timeout=10)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from magicbooth.core.config import Config
from magicbooth.core.errors import RecorderError, StorageFullError, WorkerError
from magicbooth.core.machine import device_id
from magicbooth.library import storage
from magicbooth.library.clips import Clip
from magicbooth.library.paths import clips_root, prepare_library
from magicbooth.recording import finalise
from magicbooth.recording.audio import Microphone, audio_kind, music_file, soundtrack
from magicbooth.recording.clip_writer import ClipWriter, best_movflags, is_disk_full
from magicbooth.recording.encoder import EncodedPacket, VideoEncoder, choose_encoder
from magicbooth.recording.pre_roll import PacketRing
from magicbooth.recording.recovery import recover_partials
from magicbooth.recording.remux import remux

log = logging.getLogger(__name__)

_Item = tuple  # ("frame", image, t) | ("start", _Take) | ("stop", _Take)
# stop reasons that mean the clip ended before it was asked to, in the words the console and the log use
CUT_SHORT = {"disk_full": "disk full", "storage_low": "free space below [storage] min_free_mb",
             "error": "writing failed"}
STALL_GRACE_S = 1.0  # a stop completes this long after its post-roll even if frames stop coming


@dataclass
class _Take:
    """The clip being recorded; only the encoder thread touches ``writer``."""

    id: str
    started_at: datetime
    start_t: float
    pre_roll_s: float
    effect: str
    future: Future[Clip] = field(default_factory=Future)
    writer: ClipWriter | None = None
    end_t: float | None = None
    deadline: float | None = None  # wall-clock (monotonic) time by which a stop completes regardless
    claimed: bool = False  # stop() has returned this take's future
    ended: bool = False  # its file is closed (or failed); nothing more may be written
    begun: bool = False  # the encoder thread has handled its "start" (frames queued before it are pre-roll)


@dataclass(frozen=True)
class RecorderStatus:
    """What the UI, the LED and ``doctor`` show about recording."""

    recording: bool
    clip_id: str
    encoder: str
    dropped_frames: int
    storage: str
    error: str


class Recorder:
    """Encodes pushed frames continuously; ``start``/``stop`` cut clips out of the stream."""

    def __init__(self, config: Config, size: tuple[int, int], fps: int, *, root: Path | None = None,
                 effect: str = "", when_saved: Callable[[Clip], None] | None = None,
                 when_failed: Callable[[RecorderError], None] | None = None, movflags: str | None = None,
                 recover: bool = True, live: bool = True) -> None:
        self.config = config
        # H.264 4:2:0 needs even sizes: an odd camera or file (641x479) is cropped by its last column/row.
        self.size = (size[0] - size[0] % 2, size[1] - size[1] % 2)
        self.fps = fps
        self.root = root if root is not None else clips_root(config)
        self.effect = effect
        self.when_saved = when_saved
        self.when_failed = when_failed
        self.movflags = best_movflags() if movflags is None else movflags
        self.recover = recover
        self.live = live
        self.stopping = threading.Event()
        self.error: RecorderError | None = None
        self._cond = threading.Condition()
        # Frames and commands share one queue so start/stop apply exactly between the frames
        # pushed before and after them; only frames count against the bound, only frames are dropped.
        self._queue: deque[_Item] = deque()
        self._queued_frames = 0
        self._drops: deque[float] = deque()
        self._quality: deque[tuple[float, int]] = deque()   # (t, level) from then on: the quality governor's
        self._dropped_total = 0
        self._last_t: float | None = None
        self._take: _Take | None = None
        self._last_take: _Take | None = None
        self._ring = PacketRing(config.recorder.pre_roll_s)
        self._encoder: VideoEncoder | None = None
        self._thread: threading.Thread | None = None
        self._finaliser: ThreadPoolExecutor | None = None
        self._mic: Microphone | None = None
        self._storage_level = "ok"
        self._next_space_check = 0.0
        self.device_id = device_id(config.device.id)

    # -- lifecycle -------------------------------------------------------------------------------

    def open(self) -> Recorder:
        """Recover leftover partials, choose and open the encoder, start the threads."""
        cfg = self.config
        prepare_library(self.root)
        music_file(cfg.audio)  # fail early on a bad music path
        if self.recover:
            recover_partials(self.root, cfg, when_saved=self.when_saved)
        name = choose_encoder(cfg.recorder.encoder, self.size, self.fps, cfg.recorder)
        self._encoder = VideoEncoder(name, self.size, self.fps, cfg.recorder)
        if cfg.audio.mic:
            keep = cfg.recorder.pre_roll_s + cfg.recorder.max_clip_s + cfg.recorder.post_roll_s + 5
            try:
                self._mic = Microphone(cfg.audio.mic, cfg.audio.sample_rate, keep).start()
            except RecorderError:
                self._encoder.close()
                raise
        self._finaliser = ThreadPoolExecutor(1, thread_name_prefix="clip-finalise")
        self._thread = threading.Thread(target=self._run, name="encoder", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 30.0) -> None:
        """Finish any clip being recorded, then stop the threads; raises WorkerError if they hang."""
        if self._thread is None:
            return
        with self._cond:
            if self._take is not None and self._take.end_t is None:
                self._queue.append(("stop", self._take))
                self._take.end_t = self._last_t if self._last_t is not None else float("-inf")
                self._take.deadline = time.monotonic()
            self.stopping.set()
            self._cond.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise WorkerError(f"recorder encoder thread did not stop within {timeout:g} s")
        assert self._finaliser is not None and self._encoder is not None
        self._finaliser.shutdown(wait=True)
        self._encoder.close()
        if self._mic is not None:
            self._mic.close()
        self._thread = None

    def __enter__(self) -> Recorder:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the render loop's side --------------------------------------------------------------------

    def push(self, image: np.ndarray, t: float) -> bool:
        """Queue one RGB frame taken at monotonic time ``t``; False if a frame was dropped.

        Live, it never blocks: a full queue drops its oldest frame. Offline
        (``live=False``: files, tests) it waits for room and drops nothing.
        The recorder keeps a reference to ``image``: pass an array the caller will not modify.
        """
        dropped = False
        with self._cond:
            if not self.live:
                self._cond.wait_for(lambda: self._queued_frames < self.config.recorder.queue_frames
                                    or self._thread is None, timeout=30)
            if self._queued_frames >= self.config.recorder.queue_frames:
                self._drop_oldest_frame()
                dropped = True
            self._queue.append(("frame", image, t))
            self._queued_frames += 1
            self._last_t = t
            self._cond.notify()
        return not dropped

    def note_quality(self, level: int, t: float) -> None:
        """Frames from time ``t`` on are made at quality ``level``; the clip's sidecar says which levels it holds."""
        with self._cond:
            if not self._quality or self._quality[-1][1] != level:
                self._quality.append((t, level))

    def start(self, pre_roll_s: float | None = None, effect: str | None = None) -> str:
        """Begin a clip with up to ``pre_roll_s`` seconds already encoded; returns the clip id.

        Raises StorageFullError when free space is below ``[storage] min_free_mb`` after retention.
        """
        if self._thread is None:
            raise RecorderError("the recorder is not open; use 'with Recorder(...) as rec:'")
        pre = self.config.recorder.pre_roll_s if pre_roll_s is None else min(pre_roll_s, self._ring.seconds)
        try:
            free = storage.ensure_space(self.root, self.config.storage)
        except StorageFullError:
            self._storage_level = "full"
            raise
        self._storage_level = storage.level_for(free, self.config.storage)
        now = datetime.now(UTC)
        with self._cond:
            if self._take is not None:
                raise RecorderError(f"already recording clip {self._take.id}; stop() it first")
            start_t = self._last_t if self._last_t is not None else float("-inf")
            take = _Take(finalise.new_clip_id(now), now, start_t, pre,
                         self.effect if effect is None else effect)
            self._take = take
            self._queue.append(("start", take))
            self._cond.notify()
        log.info("recording clip %s (pre-roll %.1f s)", take.id, pre)
        return take.id

    def stop(self, post_roll_s: float | None = None) -> Future[Clip]:
        """End the clip after ``post_roll_s`` more seconds of frames; the future gives the saved Clip."""
        post = self.config.recorder.post_roll_s if post_roll_s is None else post_roll_s
        with self._cond:
            take = self._take
            if take is None and self._last_take is not None and not self._last_take.claimed:
                take = self._last_take  # it ended by itself (max length, storage): hand out its result
            if take is None:
                raise RecorderError("not recording; call start() first")
            take.claimed = True
            if take.end_t is None and take is self._take:
                last = self._last_t if self._last_t is not None else float("-inf")
                take.end_t = last + post
                take.deadline = time.monotonic() + post + STALL_GRACE_S
                self._queue.append(("stop", take))
                self._cond.notify()
        return take.future

    @property
    def is_recording(self) -> bool:
        return self._take is not None

    @property
    def clip_id(self) -> str:
        take = self._take
        return take.id if take else ""

    @property
    def dropped_frames(self) -> int:
        """Frames dropped because the encoder fell behind, since the recorder opened."""
        return self._dropped_total

    @property
    def encoder_name(self) -> str:
        return self._encoder.name if self._encoder else ""

    @property
    def status(self) -> RecorderStatus:
        return RecorderStatus(self.is_recording, self.clip_id, self.encoder_name, self._dropped_total,
                              self._storage_level, str(self.error or ""))

    # -- the encoder thread ------------------------------------------------------------------------

    def _drop_oldest_frame(self) -> None:
        for i, item in enumerate(self._queue):
            if item[0] == "frame":
                del self._queue[i]
                self._queued_frames -= 1
                self._drops.append(item[2])
                self._dropped_total += 1
                return

    @property
    def pending_frames(self) -> int:
        """Frames waiting for the encoder."""
        return self._queued_frames

    def _run(self) -> None:
        while True:
            item: _Item | None = None
            with self._cond:
                if not self._queue and not self.stopping.is_set():
                    self._cond.wait(0.2)
                if self._queue:
                    item = self._queue.popleft()
                    if item[0] == "frame":
                        self._queued_frames -= 1
                        self._cond.notify_all()  # room for an offline push()
                elif self.stopping.is_set():
                    break
            try:
                if item is not None and item[0] == "frame":
                    self._encode(item[1], item[2])
                elif item is not None:
                    self._handle(item[0], item[1])
                self._check_take()
            except Exception as exc:  # the thread must survive to keep clips safe; report, don't die
                log.exception("recorder: unexpected error")
                error = RecorderError(f"recorder failed: {exc}")
                take = self._take
                if take is not None:
                    self._end(take, "error", error)  # keeps whatever was written
                else:
                    self._fail(error)
        take = self._take
        if take is not None:
            self._end(take, "closed")

    def _handle(self, verb: str, take: _Take) -> None:
        if verb == "start":
            take.begun = True
            if take.pre_roll_s > 0 and len(self._ring):
                newest = self._ring.newest_t
                target = (newest if newest is not None else take.start_t) - take.pre_roll_s
                items = self._ring.since(target)
                if items:
                    self._open_writer(take, items[0])
                    for item in items[1:]:
                        self._write(take, item)
                    return
            assert self._encoder is not None
            self._encoder.request_keyframe()
        # "stop" only needs _check_take, which runs after every step

    def _encode(self, image: np.ndarray, t: float) -> None:
        assert self._encoder is not None
        if self._take is None and self._ring.seconds <= 0:
            return  # no pre-roll wanted: do not spend CPU between clips
        for item in self._encoder.encode(image, t):
            self._ring.append(item)
            take = self._take
            if take is None or not take.begun:
                continue  # frames pushed before start() only feed the pre-roll ring
            if take.end_t is not None and item.t > take.end_t:
                self._end(take, "stop")
                continue
            if take.writer is None:
                if item.keyframe:
                    self._open_writer(take, item)
                continue
            length = item.t - (take.writer.first_t or item.t) + 1.0 / self.fps  # with this frame
            if length > self.config.recorder.max_clip_s + 1e-6:
                log.info("clip %s reached [recorder] max_clip_s = %g", take.id, self.config.recorder.max_clip_s)
                self._end(take, "max_length")
                continue
            self._write(take, item)

    def _open_writer(self, take: _Take, first: EncodedPacket) -> None:
        assert self._encoder is not None
        path = finalise.partial_path(self.root, take.id)
        try:
            meta = finalise.base_meta(take.id, take.started_at, self.device_id, take.effect)
            take.writer = ClipWriter(path, self._encoder.template, self.movflags, metadata=meta)
            take.writer.write(first)
        except RecorderError as exc:
            self._end(take, "error", exc)

    def _write(self, take: _Take, item: EncodedPacket) -> None:
        if take.ended or take.writer is None:
            return
        try:
            take.writer.write(item)
            if item.keyframe:
                self._next_space_check = 0.0  # a fragment was just written: look at free space now
        except RecorderError as exc:
            self._end(take, "disk_full" if isinstance(exc, StorageFullError) else "error", exc)

    def _check_take(self) -> None:
        take = self._take
        if take is None:
            return
        writer = take.writer
        if take.end_t is not None:
            done = writer is not None and writer.last_t is not None and writer.last_t >= take.end_t
            if done or (take.deadline is not None and time.monotonic() >= take.deadline):
                self._end(take, "stop")
                return
        now = time.monotonic()
        if now >= self._next_space_check:
            self._next_space_check = now + self.config.storage.check_interval_s
            free = storage.free_bytes(self.root)
            self._storage_level = storage.level_for(free, self.config.storage)
            if self._storage_level == "full":
                log.warning("clip %s: free space below [storage] min_free_mb; stopping", take.id)
                self._end(take, "storage_low", StorageFullError(
                    f"{self.root}: free space fell below [storage] min_free_mb = "
                    f"{self.config.storage.min_free_mb:g} while recording; the clip was stopped and kept"))

    def _end(self, take: _Take, reason: str, error: RecorderError | None = None) -> None:
        """Close the clip's file here; hand the rest of finalisation to the finaliser thread."""
        if take.ended:
            return
        take.ended = True
        with self._cond:
            if self._take is take:
                self._take = None
                self._last_take = take
        writer = take.writer
        if writer is None:
            self._fail(_nothing_saved(take, error), take)
            return
        try:
            writer.close()
        except RecorderError as exc:
            error = error or exc
            reason = "disk_full" if isinstance(exc, StorageFullError) else reason
        if not writer.frames:   # a header alone (a full disk took every frame) is no clip
            writer.path.unlink(missing_ok=True)
            writer.lock.release()
            self._fail(_nothing_saved(take, error), take)
            return
        if error is not None:
            self.error = error
        first = writer.first_t or 0.0
        last = writer.last_t if writer.last_t is not None else first
        if reason in CUT_SHORT:
            kept = last - first + 1.0 / self.fps
            log.error("%s: clip cut at %.1f s (clip %s%s)", CUT_SHORT[reason], kept, take.id,
                      f"; {error}" if error else "")
        with self._cond:
            # Drops count if they fall in the clip's span or were pushed after start() (all of them
            # may be lost before the clip's first frame when the encoder is far behind).
            dropped = sum(1 for d in self._drops if (d >= first or d > take.start_t) and d <= last)
            cutoff = last - self._ring.seconds - 1.0
            while self._drops and self._drops[0] < cutoff:
                self._drops.popleft()
            quality = quality_spans(list(self._quality), first, last + 1.0 / self.fps)
            while len(self._quality) > 1 and self._quality[1][0] <= cutoff:
                self._quality.popleft()
        pre_roll = max(0.0, take.start_t - first)
        started_at = take.started_at - timedelta(seconds=pre_roll)
        meta = finalise.base_meta(take.id, started_at, self.device_id, take.effect)
        meta.update(duration_s=round(last - first + 1.0 / self.fps, 3), frames=writer.frames,
                    dropped_frames=dropped, encoder=self.encoder_name, pre_roll_s=round(pre_roll, 3),
                    size=list(self.size), stop_reason=reason, audio=audio_kind(self.config.audio, self._mic))
        if quality:
            meta.update(quality_levels=quality, quality_level_max=max(int(level) for level in quality))
        assert self._finaliser is not None
        self._finaliser.submit(self._finish, take, writer, meta, first, last, error)

    def _finish(self, take: _Take, writer: ClipWriter, meta: dict, first: float, last: float,
                error: RecorderError | None) -> None:
        try:
            self._finalise(take, writer.path, meta, first, last, error)
        finally:
            writer.lock.release()  # from now on recovery may take the partial, if it is still there

    def _finalise(self, take: _Take, partial: Path, meta: dict, first: float, last: float,
                  error: RecorderError | None) -> None:
        add_audio = None
        if meta["audio"] != "none" and meta["stop_reason"] != "disk_full":
            add_audio = self._audio_adder(first, last + 1.0 / self.fps)
        elif meta["audio"] != "none":
            meta = {**meta, "audio": "none"}  # no room to write a second copy with audio
        try:
            clip = finalise.finalise(partial, self.root, meta, add_audio)
        except (OSError, ValueError) as exc:
            why = (f"clip {take.id}: finalising failed ({exc}); it stays in {partial} and is recovered "
                   f"at the next start")
            failure = error or (StorageFullError(why) if is_disk_full(exc) else RecorderError(why))
            self._fail(failure, take)
            return
        take.future.set_result(clip)
        if error is not None and self.when_failed is not None:
            self.when_failed(error)
        if self.when_saved is not None:
            try:
                self.when_saved(clip)
            except Exception:
                log.exception("when_saved hook failed for clip %s", clip.id)

    def _audio_adder(self, t0: float, t1: float) -> Callable[[Path, Path], None]:
        audio, mic = self.config.audio, self._mic

        def add(src: Path, dst: Path) -> None:
            remux(src, dst, soundtrack(audio, t0, t1, mic), audio.sample_rate, audio.bitrate_kbps)
        return add

    def _fail(self, error: RecorderError, take: _Take | None = None) -> None:
        self.error = error
        log.error("%s", error)
        if take is not None and not take.future.done():
            take.future.set_exception(error)
        if self.when_failed is not None:
            self.when_failed(error)


def quality_spans(changes: list[tuple[float, int]], start: float, end: float) -> dict[str, float]:
    """Seconds of [start, end) at each quality level, from (t, level) changes; {} when none were noted.

    >>> quality_spans([(0.0, 0), (4.0, 2), (9.0, 1)], 2.0, 10.0)
    {'0': 2.0, '2': 5.0, '1': 1.0}
    """
    spans: dict[str, float] = {}
    for i, (t, level) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else end
        seconds = min(until, end) - max(t, start)
        if seconds > 0:
            spans[str(level)] = round(spans.get(str(level), 0.0) + seconds, 3)
    return spans


def _nothing_saved(take: _Take, error: RecorderError | None) -> RecorderError:
    """The error for a clip of which not one frame reached the disk: nothing is saved, nothing is left behind."""
    if isinstance(error, StorageFullError):
        return StorageFullError(f"disk full: clip {take.id} has no frame that could be written, so nothing was "
                                f"saved; free space (upload and delete clips, 'magicbooth clips list')")
    why = f" ({error})" if error is not None else ""
    return RecorderError(f"clip {take.id}: no frames were recorded, so nothing was saved{why}")
