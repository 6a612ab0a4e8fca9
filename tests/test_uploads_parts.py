"""Pieces of the upload queue that need no server: keys, days, backoff, throttle, config, the database."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from magicbooth.core.backoff import Backoff
from magicbooth.core.config import parse_config
from magicbooth.core.errors import ClipIntegrityError, ConfigError
from magicbooth.upload.database import QueueDB
from magicbooth.upload.queue import clip_day, object_key, sidecar_payload
from magicbooth.upload.store import Throttle, ThrottledReader


def test_object_keys_come_from_device_day_and_clip() -> None:
    assert object_key("booths", "booth-07", "2026-11-20", "c1", "mp4") == "booths/booth-07/2026-11-20/c1.mp4"
    assert object_key("/a/b/", "d", "2026-01-02", "c", "json") == "a/b/d/2026-01-02/c.json"
    assert object_key("", "d", "2026-01-02", "c", "json") == "d/2026-01-02/c.json"


def test_day_comes_from_directory_then_sidecar_never_the_clock(tmp_path: Path) -> None:
    assert clip_day(tmp_path / "2025-01-31" / "x.mp4", {"started_at": "2026-11-20T00:00:00"}) == "2025-01-31"
    assert clip_day(tmp_path / "misc" / "x.mp4", {"started_at": "2026-11-20T10:00:00+00:00"}) == "2026-11-20"
    with pytest.raises(ClipIntegrityError, match="cannot tell the clip's day"):
        clip_day(tmp_path / "misc" / "x.mp4", {})


def test_device_id_defaults_to_hostname_and_is_key_safe() -> None:
    import socket

    from magicbooth.core.machine import device_id

    assert device_id("booth 07/α") == "booth-07"
    assert device_id("") == device_id(hostname=socket.gethostname())
    assert device_id("", hostname="") == device_id("", hostname="---") == "booth"


def test_uploaded_sidecar_leaves_out_local_queue_state() -> None:
    a = sidecar_payload({"id": "c", "sha256": "ab", "upload_state": "queued", "upload_error": "x"})
    b = sidecar_payload({"sha256": "ab", "id": "c", "upload_state": "uploaded", "upload_error": ""})
    assert a == b and b"upload" not in a


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(1.0, 10.0, random.Random(7))
    delays = [backoff.next() for _ in range(8)]
    ceilings = [1, 2, 4, 8, 10, 10, 10, 10]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == len(delays), "jittered"
    backoff.reset()
    assert backoff.next() <= 1.0
    with pytest.raises(ValueError):
        Backoff(0, 1)


def test_throttled_reader_paces_reads() -> None:
    data = bytes(range(256)) * 1024                # 256 KiB
    reader = ThrottledReader(data, Throttle(512 * 1024, burst=16 * 1024))
    start = time.monotonic()
    out = b"".join(iter(lambda: reader.read(8192), b""))
    elapsed = time.monotonic() - start
    assert out == data
    assert 0.4 < elapsed < 2.0, elapsed          # 256 KiB at 512 KiB/s is 0.5 s
    assert reader.seek(0) == 0 and reader.read(3) == data[:3]


def test_upload_config_defaults_and_limits() -> None:
    cfg = parse_config("")
    assert not cfg.upload.enabled and cfg.upload.prefix == "booths"
    on = parse_config('[upload]\nendpoint = "http://127.0.0.1:8333"\nbucket = "clips"\nprefix = "booths"\n'
                      'credentials_file = "/etc/magicbooth/s3.toml"\n')
    assert on.upload.enabled and on.upload.credentials_file == "/etc/magicbooth/s3.toml"
    with pytest.raises(ConfigError, match=r"\[upload\] part_size_mb = 4: expected an integer from 5"):
        parse_config("[upload]\npart_size_mb = 4\n")
    with pytest.raises(ConfigError, match=r"unknown key \[upload\] secret_access_key"):
        parse_config('[upload]\nsecret_access_key = "x"\n')


def test_database_survives_reopen_and_requeues_interrupted_jobs(tmp_path: Path) -> None:
    db = QueueDB(tmp_path / "q.sqlite3")
    assert db.add("a", tmp_path / "a.mp4") and not db.add("a", tmp_path / "a.mp4")
    db.add("b", tmp_path / "b.mp4")
    db.set_state("a", "uploading")
    db.start_multipart("k", "a", "upload-1", 5 << 20, 11 << 20)
    db.record_part("k", 1, "etag1", 5 << 20)
    db.close()
    db = QueueDB(tmp_path / "q.sqlite3")
    assert db._rows("PRAGMA journal_mode")[0][0] == "wal"
    assert db._rows("PRAGMA synchronous")[0][0] == 2          # FULL
    assert db.requeue_interrupted() == 1
    assert [j.clip_id for j in db.jobs("queued")] == ["a", "b"]
    state = db.multipart("k")
    assert state is not None and state.upload_id == "upload-1" and state.parts == {1: "etag1"}
    db.record_object("k", "a", "etag-all", 11 << 20)
    assert db.multipart("k") is None and db.object_etag("k") == "etag-all"
    db.close()


def test_stalled_store_times_out_instead_of_hanging(tmp_path: Path) -> None:
    """A store that accepts connections and never answers costs read_timeout_s, not minutes."""
    import socket

    from upload_helpers import make_clip, make_config

    from magicbooth.core.errors import StoreUnavailableError
    from magicbooth.upload.queue import UploadQueue

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)                      # the kernel completes handshakes; nobody ever reads
        cfg = make_config(tmp_path, None, endpoint=f"http://127.0.0.1:{silent.getsockname()[1]}",
                          connect_timeout_s=0.5, read_timeout_s=0.5)
        queue = UploadQueue(cfg)
        queue.enqueue(make_clip(tmp_path / "clips", "stalled"))
        start = time.monotonic()
        with pytest.raises(StoreUnavailableError, match="cannot reach the store"):
            queue.run_once()
        assert time.monotonic() - start < 5
        assert queue.status().queued == 1
        queue.close()


def test_upload_states_have_one_spelling(tmp_path: Path) -> None:
    """library.clips.UploadState is the one list: the sidecar check, the jobs and the SQL CHECK all follow it."""
    import sqlite3

    from magicbooth.library.clips import UploadState, update_sidecar, write_sidecar
    from magicbooth.upload.database import JOB_STATES

    assert [str(s) for s in UploadState] == ["off", "queued", "uploading", "uploaded", "failed"]
    assert set(JOB_STATES) == set(UploadState) - {UploadState.OFF}
    db = QueueDB(tmp_path / "q.sqlite3")
    try:
        db.add("c1", tmp_path / "c1.mp4")
        for state in JOB_STATES:
            db.set_state("c1", state)
            job = db.job("c1")
            assert job is not None and job.state is state
            assert db.counts() == {s: int(s is state) for s in JOB_STATES}
    finally:
        db.close()
    with sqlite3.connect(tmp_path / "q.sqlite3") as raw:
        schema = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'jobs'").fetchone()[0]
        assert f"CHECK (state IN ({', '.join(repr(str(s)) for s in JOB_STATES)}))" in schema
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("UPDATE jobs SET state = 'off' WHERE clip_id = 'c1'")     # 'off' is no job's state
    video = tmp_path / "c1.mp4"
    write_sidecar(video, {"id": "c1"})
    assert update_sidecar(video, upload_state=UploadState.QUEUED)["upload_state"] == "queued"
    with pytest.raises(ValueError, match="upload_state must be one of off, queued, uploading, uploaded, failed"):
        update_sidecar(video, upload_state="sent")
