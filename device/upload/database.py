"""The upload queue's durable state: one SQLite file in the state directory.

WAL with ``synchronous=FULL``: every committed change survives a pulled plug,
and readers (``status()``) never block the uploader. Callers commit a state
change *before* the action that depends on it, so after a crash the database
is never ahead of what may safely be assumed; the store (ListParts, HEAD) is
asked to fill in what happened after the last commit.

Tables: ``jobs`` (one row per clip), ``objects`` (verified uploads),
``multipart`` + ``parts`` (the UploadId and every acknowledged part's ETag).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from magicbooth.core.errors import UploadError
from magicbooth.library.clips import UploadState

# A job is a clip whose uploads are on, so it is in every upload state but ``off``.
JOB_STATES = tuple(s for s in UploadState if s is not UploadState.OFF)
IN_FLIGHT = (UploadState.QUEUED, UploadState.UPLOADING)   # states whose multipart uploads are still wanted


def _sql_list(states: tuple[UploadState, ...]) -> str:
    """``('queued', 'uploading')``: states as an SQL list (they are fixed identifiers, never user input)."""
    return "(" + ", ".join(f"'{s}'" for s in states) + ")"


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS jobs (
    clip_id TEXT PRIMARY KEY,
    video TEXT NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN {_sql_list(JOB_STATES)}),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    sidecar_synced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, seq);
CREATE TABLE IF NOT EXISTS objects (
    key TEXT PRIMARY KEY,
    clip_id TEXT NOT NULL,
    etag TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS multipart (
    key TEXT PRIMARY KEY,
    clip_id TEXT NOT NULL,
    upload_id TEXT NOT NULL,
    part_size INTEGER NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS parts (
    key TEXT NOT NULL,
    number INTEGER NOT NULL,
    etag TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (key, number)
);
"""


@dataclass(frozen=True)
class Job:
    """One clip in the queue."""

    clip_id: str
    video: Path
    seq: int
    state: UploadState
    attempts: int
    error: str


@dataclass(frozen=True)
class Multipart:
    """A multipart upload in progress and the parts the store acknowledged (number -> ETag)."""

    key: str
    upload_id: str
    part_size: int
    size: int
    parts: dict[int, str]


class QueueDB:
    """Thread-safe access to the queue database (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise UploadError(f"{path}: cannot open the upload queue database: {exc}; "
                              f"check the state directory is writable") from None
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One committed transaction; nothing is visible until it returns.

        ``durable=False`` skips the fsync (``synchronous=NORMAL`` for this commit) for facts a crash
        may lose because they are re-derived from the store or the sidecar; the next durable commit
        makes them durable too.
        """
        with self._lock:
            if not durable:
                self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                if not durable:
                    self._db.execute("PRAGMA synchronous=FULL")

    def _rows(self, sql: str, *args: object) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- jobs ----------------------------------------------------------------------------------------------

    def add(self, clip_id: str, video: Path, *, sidecar_synced: bool = False) -> bool:
        """Queue a clip unless it is known already; True if it was added."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO jobs (clip_id, video, seq, state, sidecar_synced) "
                "VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs), ?, ?)",
                (clip_id, str(video), UploadState.QUEUED, int(sidecar_synced)))
            return cur.rowcount == 1

    def job(self, clip_id: str) -> Job | None:
        rows = self._rows("SELECT clip_id, video, seq, state, attempts, error FROM jobs WHERE clip_id = ?", clip_id)
        return _job(rows[0]) if rows else None

    def jobs(self, state: UploadState) -> list[Job]:
        """Jobs in one state, oldest first."""
        rows = self._rows("SELECT clip_id, video, seq, state, attempts, error FROM jobs WHERE state = ? "
                          "ORDER BY seq", state)
        return [_job(r) for r in rows]

    def set_state(self, clip_id: str, state: UploadState, error: str = "", *, attempt: bool = False) -> None:
        """Commit a job's new state; its sidecar is marked as needing the same change.

        Only the final states are fsynced: losing 'uploading' or a retry's 'queued' in a crash
        changes nothing, since both restart the same way.
        """
        assert state in JOB_STATES, state
        with self._tx(durable=state in (UploadState.UPLOADED, UploadState.FAILED)) as db:
            db.execute("UPDATE jobs SET state = ?, error = ?, attempts = attempts + ?, sidecar_synced = 0 "
                       "WHERE clip_id = ?", (state, error, int(attempt), clip_id))

    def sidecar_synced(self, clip_id: str, state: UploadState) -> None:
        """Record that the sidecar now shows ``state`` (if lost in a crash, the sidecar is simply rewritten)."""
        with self._tx(durable=False) as db:
            db.execute("UPDATE jobs SET sidecar_synced = 1 WHERE clip_id = ? AND state = ?", (clip_id, state))

    def unsynced(self) -> list[Job]:
        rows = self._rows("SELECT clip_id, video, seq, state, attempts, error FROM jobs WHERE sidecar_synced = 0 "
                          "ORDER BY seq")
        return [_job(r) for r in rows]

    def requeue_interrupted(self) -> int:
        """After a restart nothing is in flight: 'uploading' jobs go back to 'queued'."""
        with self._tx(durable=False) as db:
            return db.execute("UPDATE jobs SET state = ?, sidecar_synced = 0 WHERE state = ?",
                              (UploadState.QUEUED, UploadState.UPLOADING)).rowcount

    def counts(self) -> dict[UploadState, int]:
        found = dict(self._rows("SELECT state, COUNT(*) FROM jobs GROUP BY state"))
        return {state: int(found.get(state, 0)) for state in JOB_STATES}

    # -- verified objects ----------------------------------------------------------------------------------

    def object_etag(self, key: str) -> str | None:
        rows = self._rows("SELECT etag FROM objects WHERE key = ?", key)
        return str(rows[0][0]) if rows else None

    def record_object(self, key: str, clip_id: str, etag: str, size: int) -> None:
        """Remember a verified object and drop any multipart state for its key.

        Not fsynced: if a crash loses it, the next attempt finds the object by HEAD or re-sends
        identical bytes to the same key, and the job itself is only marked uploaded durably.
        """
        with self._tx(durable=False) as db:
            db.execute("INSERT OR REPLACE INTO objects (key, clip_id, etag, size) VALUES (?, ?, ?, ?)",
                       (key, clip_id, etag, size))
            db.execute("DELETE FROM parts WHERE key = ?", (key,))
            db.execute("DELETE FROM multipart WHERE key = ?", (key,))

    # -- multipart -----------------------------------------------------------------------------------------

    def multipart(self, key: str) -> Multipart | None:
        rows = self._rows("SELECT upload_id, part_size, size FROM multipart WHERE key = ?", key)
        if not rows:
            return None
        parts = dict(self._rows("SELECT number, etag FROM parts WHERE key = ?", key))
        return Multipart(key, str(rows[0][0]), int(rows[0][1]), int(rows[0][2]), parts)

    def start_multipart(self, key: str, clip_id: str, upload_id: str, part_size: int, size: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM parts WHERE key = ?", (key,))
            db.execute("INSERT OR REPLACE INTO multipart (key, clip_id, upload_id, part_size, size) "
                       "VALUES (?, ?, ?, ?, ?)", (key, clip_id, upload_id, part_size, size))

    def record_part(self, key: str, number: int, etag: str, size: int) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO parts (key, number, etag, size) VALUES (?, ?, ?, ?)",
                       (key, number, etag, size))

    def forget_part(self, key: str, number: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM parts WHERE key = ? AND number = ?", (key, number))

    def forget_multipart(self, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM parts WHERE key = ?", (key,))
            db.execute("DELETE FROM multipart WHERE key = ?", (key,))

    def multipart_keys(self, clip_id: str) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT key FROM multipart WHERE clip_id = ?", clip_id)]

    def upload_ids(self) -> set[str]:
        """UploadIds still wanted: those of clips that are queued or uploading."""
        return {str(r[0]) for r in self._rows(
            "SELECT m.upload_id FROM multipart m JOIN jobs j ON j.clip_id = m.clip_id "
            f"WHERE j.state IN {_sql_list(IN_FLIGHT)}")}

    def forget_unwanted_multipart(self) -> None:
        """Drop multipart records of clips that are uploaded, failed or gone (after aborting them)."""
        with self._tx() as db:
            unwanted = "SELECT key FROM multipart WHERE clip_id NOT IN " \
                       f"(SELECT clip_id FROM jobs WHERE state IN {_sql_list(IN_FLIGHT)})"
            db.execute(f"DELETE FROM parts WHERE key IN ({unwanted})")
            db.execute(f"DELETE FROM multipart WHERE key IN ({unwanted})")


def _job(row: tuple) -> Job:
    return Job(str(row[0]), Path(row[1]), int(row[2]), UploadState(row[3]), int(row[4]), str(row[5]))
