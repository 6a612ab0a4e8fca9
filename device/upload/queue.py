"""The durable upload queue: finished clips go to S3-compatible storage, verified, exactly once.

The recorder hands each saved clip to ``enqueue`` (wire it as its
``when_saved`` hook); a background thread, or ``magicbooth upload [--once]``,
drains the queue. Every job lives in SQLite (see ``upload.database``), so a pulled
plug or days without Wi-Fi lose nothing, and each object's key comes from the
device id, the clip's day directory and its id, never from the wall clock.

The sidecar's ``upload_state`` follows the job (``queued`` -> ``uploading`` ->
``uploaded`` | ``failed``, with ``upload_error``); it becomes ``uploaded`` only
after both objects were verified, and only then may retention delete the clip.

Usage::

    queue = UploadQueue(cfg)
    recorder.when_saved = queue.enqueue
    queue.start()                  # background thread with backoff
    queue.status().queued          # clips waiting
    queue.stop(timeout=10)
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from magicbooth.core.backoff import Backoff
from magicbooth.core.config import Config
from magicbooth.core.errors import (
    ClipIntegrityError,
    CredentialsError,
    StoreUnavailableError,
    UploadError,
    UploadTargetError,
    WorkerError,
)
from magicbooth.core.machine import device_id, state_dir
from magicbooth.library.clips import Clip, UploadState, iter_clips, read_sidecar, update_sidecar
from magicbooth.library.paths import clips_root as library_root
from magicbooth.upload.credentials import credentials_path, load_credentials
from magicbooth.upload.database import JOB_STATES, Job, QueueDB
from magicbooth.upload.store import ObjectStore
from magicbooth.upload.transfer import Interrupted, Transfer

log = logging.getLogger(__name__)

DB_NAME = "uploads.sqlite3"
LOCAL_KEYS = ("upload_state", "upload_error")   # sidecar keys that describe this booth's queue, not the clip
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
IDLE_POLL_S = 10.0   # also picks up clips another process (e.g. `magicbooth record`) enqueued


def device_prefix(prefix: str, device: str) -> str:
    """``<prefix>/<device>/``: everything this booth uploads lives below it."""
    return "/".join([*(p for p in prefix.split("/") if p), device]) + "/"


def object_key(prefix: str, device: str, day: str, clip_id: str, ext: str) -> str:
    """``<prefix>/<device>/<yyyy-mm-dd>/<clip-id>.<ext>`` (no leading slash when the prefix is empty)."""
    return f"{device_prefix(prefix, device)}{day}/{clip_id}.{ext}"


def clip_day(video: Path, meta: dict[str, Any]) -> str:
    """The clip's day: its directory name, else the sidecar's ``started_at`` date."""
    if _DAY.match(video.parent.name):
        return video.parent.name
    started = str(meta.get("started_at", ""))[:10]
    if _DAY.match(started):
        return started
    raise ClipIntegrityError(f"{video}: cannot tell the clip's day (directory is not yyyy-mm-dd and the sidecar "
                             f"has no started_at)")


def sidecar_payload(meta: dict[str, Any]) -> bytes:
    """The sidecar as uploaded: stable bytes, without this booth's queue bookkeeping."""
    clean = {k: v for k, v in meta.items() if k not in LOCAL_KEYS}
    return (json.dumps(clean, indent=2, sort_keys=True) + "\n").encode("utf-8")


class QueueBusyError(UploadError):
    """Another process holds the queue's drain lock."""


@dataclass(frozen=True)
class UploadStatus:
    """A summary for ``doctor``, ``clips list`` and the UI; never contains secrets."""

    enabled: bool
    target: str
    queued: int = 0
    uploading: int = 0
    uploaded: int = 0
    failed: int = 0
    in_progress: str = ""
    failures: tuple[tuple[str, str], ...] = ()
    blocked: str = ""
    failed_passes: int = 0

    def lines(self) -> list[str]:
        """Human-readable lines."""
        if not self.enabled:
            return ["uploads: off ([upload] endpoint and bucket are not set)"]
        out = [f"uploads: {self.target}",
               f"  queued {self.queued}, uploading {self.uploading}, uploaded {self.uploaded}, failed {self.failed}"]
        if self.in_progress:
            out.append(f"  in progress: {self.in_progress}")
        if self.blocked:
            out.append(f"  waiting to retry (attempt {self.failed_passes + 1}): {self.blocked}")
        out += [f"  failed {clip}: {reason}" for clip, reason in self.failures]
        return out


@dataclass
class DrainResult:
    """What one pass over the queue did."""

    uploaded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    remaining: int = 0


class UploadQueue:
    """Persistent queue of clips to upload, plus the worker that drains it.

    ``store`` may be passed in (tests, benchmarks); otherwise it is built on
    first use from ``[upload]`` and the credentials file, so that enqueueing
    keeps working while the credentials are broken.
    """

    def __init__(self, cfg: Config, *, store: ObjectStore | None = None, db_path: Path | None = None,
                 clips_root: Path | None = None) -> None:
        self.cfg = cfg
        self.clips_root = clips_root or library_root(cfg)
        self.enabled = cfg.upload.enabled
        self.device = device_id(cfg.device.id)
        self.db = QueueDB(db_path or state_dir(cfg.device.state_dir) / DB_NAME)
        self._lock_fd: int | None = None
        self._store = store
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._changed = threading.Condition()
        self._sidecar_lock = threading.Lock()     # one writer per sidecar: the recorder's thread or the worker
        self._thread: threading.Thread | None = None
        self._backoff = Backoff(cfg.upload.retry_min_s, cfg.upload.retry_max_s)
        self._blocked = ""
        self._progress = ""
        self._current: tuple[str, int, int] = ("", 0, 0)
        self._scanned = False
        self._cleaned = False
        self.when_part_sent: Callable[[str, int], None] | None = None

    # -- feeding -------------------------------------------------------------------------------------------

    def enqueue(self, clip: Clip) -> bool:
        """Queue a saved clip (the recorder's ``when_saved`` hook); repeated calls change nothing.

        Returns True if the clip was newly queued. With uploads off, nothing happens.
        """
        if not self.enabled or self.db.job(clip.id) is not None:
            return False
        # Sidecar first, then the job: once a drainer (maybe another process) can see the job, nobody
        # else writes this sidecar. A crash in between leaves a 'queued' clip that scan() picks up.
        synced = False
        if clip.sidecar.is_file():
            with self._sidecar_lock:
                try:
                    update_sidecar(clip.video, upload_state=UploadState.QUEUED, upload_error="")
                    synced = True
                except OSError as exc:
                    log.warning("cannot update sidecar of %s: %s", clip.id, exc)
        added = self.db.add(clip.id, clip.video.resolve(), sidecar_synced=synced)
        if added:
            self._notify()
        return added

    def scan(self, root: Path) -> int:
        """Queue every clip under ``root`` not yet uploaded or failed (e.g. recorded while uploads were off)."""
        added = 0
        for clip in iter_clips(root):
            if clip.meta and clip.upload_state not in (UploadState.UPLOADED, UploadState.FAILED):
                added += self.enqueue(clip)
        return added

    def retry_failed(self) -> int:
        """Put every failed clip back in the queue (after fixing what made it fail)."""
        jobs = self.db.jobs(UploadState.FAILED)
        for job in jobs:
            self.db.set_state(job.clip_id, UploadState.QUEUED)
            self._sync_sidecar(job.clip_id)
        self._notify()
        return len(jobs)

    # -- draining ------------------------------------------------------------------------------------------

    @property
    def store(self) -> ObjectStore:
        """The object store client, connected on first use."""
        if self._store is None:
            if not self.enabled:
                raise UploadError("uploading is off: set [upload] endpoint and bucket in the config file")
            creds = load_credentials(credentials_path(self.cfg.upload.credentials_file))
            self._store = ObjectStore.connect(self.cfg.upload, creds)
        return self._store

    def run_once(self) -> DrainResult:
        """One pass: try every queued clip once, oldest first.

        The first pass of a process also queues the clip library's backlog and aborts
        multipart uploads that no job owns any more.

        Raises ``StoreUnavailableError`` (retry later), ``CredentialsError`` or
        ``UploadTargetError`` (fix the config) and leaves the rest of the queue as it was.
        """
        result = DrainResult()
        self._take_drain_lock()
        self._sync_all_sidecars()
        if not self._scanned:       # once per process: pick up the backlog ...
            self.scan(self.clips_root)
            self._scanned = True
        if not self._cleaned:       # ... and clean up after a crash (needs the store)
            self.abort_stale()
            self._cleaned = True
        for job in self.db.jobs(UploadState.QUEUED):
            if self.stopping.is_set():
                break
            outcome = self._process(job)
            if outcome is not None:
                (result.uploaded if outcome else result.failed).append(job.clip_id)
        result.remaining = self.db.counts()[UploadState.QUEUED]
        return result

    def drain(self, timeout: float | None = None) -> DrainResult:
        """Run passes until the queue is empty, waiting with backoff between failed passes.

        Gives up on ``StoreUnavailableError`` after ``timeout`` seconds (None: never);
        credential and target errors are raised at once.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        total = DrainResult()
        while True:
            try:
                result = self.run_once()
            except StoreUnavailableError:
                delay = self._backoff.next()
                if deadline is not None and time.monotonic() + delay > deadline:
                    raise
                self.stopping.wait(delay)
                if self.stopping.is_set():
                    raise
                continue
            self._backoff.reset()
            total.uploaded += result.uploaded
            total.failed += result.failed
            total.remaining = result.remaining
            if not result.remaining or self.stopping.is_set():
                return total

    def abort_stale(self) -> int:
        """Abort unfinished multipart uploads under this booth's prefix that no queued clip needs."""
        prefix = device_prefix(self.cfg.upload.prefix, self.device)
        known = self.db.upload_ids()
        stale = [(key, uid) for key, uid in self.store.list_uploads(prefix) if uid not in known]
        for key, uid in stale:
            log.info("aborting stale multipart upload of %s", key)
            self.store.abort(key, uid)
        self.db.forget_unwanted_multipart()
        return len(stale)

    # -- background worker ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Drain in a background thread until ``stop``; failures wait with exponential backoff."""
        if self._thread is not None:
            raise UploadError("upload worker already started")
        self.stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="uploads", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current part; raises ``WorkerError`` if the thread will not end in time."""
        self.stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise WorkerError(f"upload worker did not stop within {timeout} s")
            self.stopping.clear()       # the queue itself stays usable (run_once, drain, start again)

    def close(self) -> None:
        self.stop()
        if self._lock_fd is not None:
            os.close(self._lock_fd)     # releases the flock
            self._lock_fd = None
        self.db.close()

    def _take_drain_lock(self) -> None:
        """Only one process drains a queue (the booth's thread or the upload service), never both.

        Enqueueing needs no lock. The holder is the only one who may treat 'uploading' jobs
        as interrupted and put them back in the queue.
        """
        if self._lock_fd is not None:
            return
        path = self.db.path.with_name(self.db.path.name + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise QueueBusyError(f"{self.db.path}: another magicbooth process is draining this upload "
                                 f"queue (the booth or magicbooth-upload.service); let it, or stop it") from None
        self._lock_fd = fd
        self.db.requeue_interrupted()

    def wait_for_drained(self, timeout: float | None = None) -> bool:
        """Block until no clip is queued or uploading; False on timeout."""
        def drained() -> bool:
            counts = self.db.counts()
            return not counts[UploadState.QUEUED] and not counts[UploadState.UPLOADING]

        with self._changed:
            return self._changed.wait_for(drained, timeout)

    def wait_for_status(self, predicate: Callable[[UploadStatus], bool], timeout: float | None = None) -> bool:
        """Block until ``predicate(status())`` holds (checked on every change); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.status()), timeout)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self._wake.clear()
            try:
                result = self.run_once()
            except (StoreUnavailableError, CredentialsError, UploadTargetError, QueueBusyError) as exc:
                delay = self._backoff.next()
                if str(exc) != self._blocked:
                    log.warning("upload paused: %s (retrying in %.0f s)", exc, delay)
                self._blocked = str(exc)
                self._notify()
                self.stopping.wait(delay)
                continue
            except Exception:
                log.exception("upload worker error")
                self.stopping.wait(self._backoff.next())
                continue
            self._backoff.reset()
            self._blocked = ""
            self._notify()
            if not result.remaining:
                self._wake.wait(IDLE_POLL_S)

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
        self._wake.set()

    # -- one clip ------------------------------------------------------------------------------------------

    def _process(self, job: Job) -> bool | None:
        """Upload one clip: True when verified and marked uploaded, False when it failed, None when stopped."""
        video = job.video
        try:
            meta = read_sidecar(video)
            if not meta or not video.is_file():
                raise ClipIntegrityError(f"{video}: video or sidecar is missing")
            sha = str(meta.get("sha256", ""))
            if not re.fullmatch(r"[0-9a-f]{64}", sha):
                raise ClipIntegrityError(f"{video.with_suffix('.json')}: sidecar has no valid sha256")
            size = int(meta.get("size_bytes", video.stat().st_size))
            day = clip_day(video, meta)
        except (ClipIntegrityError, OSError, ValueError) as exc:
            return self._fail(job, str(exc))

        key = object_key(self.cfg.upload.prefix, self.device, day, job.clip_id, "mp4")
        transfer = Transfer(self.store, self.db, self.cfg.upload.part_size_mb << 20,
                            self.cfg.upload.checksum_sha256, self.stopping, self._part_sent)
        metadata = {"sha256": sha, "clip-id": job.clip_id, "device-id": self.device}
        self.db.set_state(job.clip_id, UploadState.UPLOADING)
        if size > self.cfg.upload.part_size_mb << 20:
            self._sync_sidecar(job.clip_id)   # small clips finish before anyone could see 'uploading'; save the fsyncs
        self._current = (job.clip_id, size, 0)
        self._progress = f"{job.clip_id}: 0 of {size} bytes"
        try:
            transfer.upload_file(key, job.clip_id, video, sha256_hex=sha, size=size, metadata=metadata,
                                 content_type="video/mp4")
            transfer.upload_bytes(key[:-len("mp4")] + "json", job.clip_id, sidecar_payload(meta),
                                  metadata={"clip-id": job.clip_id, "device-id": self.device},
                                  content_type="application/json")
        except ClipIntegrityError as exc:
            return self._fail(job, str(exc))
        except Interrupted:
            self._requeue(job, "")
            return None
        except (StoreUnavailableError, CredentialsError, UploadTargetError) as exc:
            self._requeue(job, str(exc), attempt=isinstance(exc, StoreUnavailableError))
            raise
        except UploadError as exc:
            return self._fail(job, str(exc))
        except OSError as exc:
            return self._fail(job, f"{video}: cannot read clip: {exc.strerror or exc}")
        finally:
            self._progress = ""
            self._current = ("", 0, 0)
        self.db.set_state(job.clip_id, UploadState.UPLOADED)
        self._sync_sidecar(job.clip_id)
        self._notify()
        log.info("uploaded %s", key)
        return True

    def _fail(self, job: Job, reason: str) -> bool:
        log.warning("upload of %s failed: %s", job.clip_id, reason)
        self.db.set_state(job.clip_id, UploadState.FAILED, reason, attempt=True)
        for key in self.db.multipart_keys(job.clip_id):     # nothing half-uploaded is left behind
            try:
                Transfer(self.store, self.db, 0).abort(key)
            except UploadError as exc:
                log.info("could not abort the upload of %s yet (%s); abort_stale will", key, exc)
        self._sync_sidecar(job.clip_id)
        self._notify()
        return False

    def _requeue(self, job: Job, reason: str, *, attempt: bool = False) -> None:
        self.db.set_state(job.clip_id, UploadState.QUEUED, reason, attempt=attempt)
        self._sync_sidecar(job.clip_id)
        self._notify()

    def _part_sent(self, key: str, number: int, nbytes: int) -> None:
        clip, size, sent = self._current
        self._current = (clip, size, sent + nbytes)
        self._progress = f"{clip}: {sent + nbytes} of {size} bytes (part {number} sent)"
        if self.when_part_sent is not None:
            self.when_part_sent(key, number)

    # -- sidecars ------------------------------------------------------------------------------------------

    def _sync_sidecar(self, clip_id: str) -> None:
        """Copy the job's committed state into the clip's sidecar (after the commit, never before)."""
        with self._sidecar_lock:
            job = self.db.job(clip_id)
            if job is None:
                return
            if job.video.with_suffix(".json").is_file():
                try:
                    update_sidecar(job.video, upload_state=job.state, upload_error=job.error)
                except OSError as exc:
                    log.warning("cannot update sidecar of %s: %s", clip_id, exc)
                    return
            self.db.sidecar_synced(clip_id, job.state)

    def _sync_all_sidecars(self) -> None:
        for job in self.db.unsynced():
            self._sync_sidecar(job.clip_id)

    # -- status --------------------------------------------------------------------------------------------

    def check_target(self) -> str:
        """One line for ``doctor``: can we reach the bucket with these credentials? Never shows a secret."""
        if not self.enabled:
            return "uploads off ([upload] endpoint and bucket are not set)"
        try:
            self.store.check()
        except UploadError as exc:
            return f"problem: {exc}"
        up = self.cfg.upload
        return f"ok: {up.endpoint} bucket {up.bucket!r} reachable, keys from {credentials_path(up.credentials_file)}"

    def status(self, max_failures: int = 10) -> UploadStatus:
        """Counts per state, the clip in progress, recent failures with reasons, and why uploads wait."""
        if not self.enabled:
            return UploadStatus(False, "")
        up = self.cfg.upload
        counts = self.db.counts()
        failures = tuple((j.clip_id, j.error) for j in self.db.jobs(UploadState.FAILED)[-max_failures:])
        return UploadStatus(True, f"{up.endpoint}/{up.bucket}/{device_prefix(up.prefix, self.device)}",
                            **{str(s): counts[s] for s in JOB_STATES}, in_progress=self._progress,
                            failures=failures, blocked=self._blocked, failed_passes=self._backoff.failures)


@contextmanager
def queue_for_kept_clips(cfg: Config) -> Iterator[Callable[[Clip | Path], None] | None]:
    """What the booth, headless and ``record`` call with each kept clip: queue it for upload.

    ``None`` while ``[upload]`` is off. ``magicbooth upload`` (its own service) drains the queue.
    """
    if not cfg.upload.enabled:
        yield None
        return
    queue = UploadQueue(cfg)

    def keep(clip: Clip | Path) -> None:
        if not isinstance(clip, Clip):
            clip = Clip(Path(clip), read_sidecar(Path(clip)))
        queue.enqueue(clip)

    try:
        yield keep
    finally:
        queue.close()
