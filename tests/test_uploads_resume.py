"""Outages: the store down at first, killed mid-multipart, and the queue process killed mid-drain."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from seaweed import SeaweedServer
from upload_helpers import DAY, fetch, list_keys, make_clip, make_config, pending_uploads

from magicbooth.core.errors import StoreUnavailableError
from magicbooth.library.clips import iter_clips, read_sidecar
from magicbooth.upload.database import QueueDB
from magicbooth.upload.queue import DB_NAME, UploadQueue, object_key

MP4 = f"booths/booth-07/{DAY}/"


def test_store_down_at_first_retries_with_backoff_then_uploads(tmp_path: Path) -> None:
    server = SeaweedServer(tmp_path / "weed")          # ports chosen, nothing listening yet
    cfg = make_config(tmp_path, server, retry_min_s=0.05, retry_max_s=0.4)
    clip = make_clip(tmp_path / "clips", "early")
    queue = UploadQueue(cfg)
    queue.enqueue(clip)
    queue.start()
    try:
        assert queue.wait_for_status(lambda s: s.failed_passes >= 3, timeout=30)
        status = queue.status()
        assert status.queued == 1 and "cannot reach the store" in status.blocked
        assert read_sidecar(clip.video)["upload_state"] == "queued"
        server.start()
        assert queue.wait_for_drained(timeout=60)
        assert queue.wait_for_status(lambda s: not s.blocked and s.failed_passes == 0, timeout=10)
    finally:
        queue.stop(timeout=10)
        queue.close()
        server.stop()
    assert read_sidecar(clip.video)["upload_state"] == "uploaded"


def test_server_killed_mid_multipart_resumes_without_resending_parts(tmp_path: Path) -> None:
    server = SeaweedServer(tmp_path / "weed").start()
    try:
        cfg = make_config(tmp_path, server)
        clip = make_clip(tmp_path / "clips", "big", frames=130, size=(320, 240), lossless=True)
        size = clip.video.stat().st_size
        parts = -(-size // (5 << 20))
        assert parts >= 3, f"clip of {size} bytes is too small for this test"
        key = MP4 + "big.mp4"

        queue = UploadQueue(cfg)
        sent: list[int] = []
        queue.store.when_request("UploadPart", lambda **kw: sent.append(1))

        def kill_after_second(part_key: str, number: int) -> None:
            if number == 2:
                server.kill()

        queue.when_part_sent = kill_after_second
        queue.enqueue(clip)
        with pytest.raises(StoreUnavailableError):
            queue.run_once()
        assert len(sent) == 3, "parts 1 and 2 went through, part 3 met a dead server"
        state = queue.db.multipart(key)
        assert state is not None and sorted(state.parts) == [1, 2]
        assert read_sidecar(clip.video)["upload_state"] == "queued"
        queue.close()

        # Lose the commit of part 2, as if the process died between the 200 OK and the commit:
        # ListParts must give it back instead of the part being sent again.
        db = QueueDB(tmp_path / DB_NAME)
        db.forget_part(key, 2)
        db.close()

        server.start()
        queue = UploadQueue(cfg)                        # a fresh process's view: only the database survives
        resent: list[int] = []

        def count(request: object, **kw: object) -> None:
            resent.append(int(str(request.url).split("partNumber=")[1].split("&")[0]))  # type: ignore[attr-defined]

        queue.store.when_request("UploadPart", count)
        assert queue.run_once().uploaded == ["big"]
        assert sorted(resent) == list(range(3, parts + 1)), "only the missing parts are sent"

        client = server.client()
        body = fetch(client, key)
        assert hashlib.sha256(body).hexdigest() == clip.meta["sha256"]
        assert client.head_object(Bucket="clips", Key=key)["ETag"].strip('"').endswith(f"-{parts}")
        assert pending_uploads(client) == []
        assert read_sidecar(clip.video)["upload_state"] == "uploaded"
        queue.close()

        # A crash between CompleteMultipartUpload and our commit: the database still holds the finished
        # upload. The next attempt must find the object (ListParts says NoSuchUpload, HEAD matches) and
        # send nothing at all.
        with sqlite3.connect(tmp_path / DB_NAME) as raw:
            raw.execute("DELETE FROM objects")
            raw.execute("INSERT INTO multipart VALUES (?, 'big', ?, ?, ?)", (key, state.upload_id, 5 << 20, size))
            raw.execute("UPDATE jobs SET state = 'queued'")
        queue = UploadQueue(cfg)
        requests: list[str] = []
        for op in ("UploadPart", "CreateMultipartUpload", "PutObject"):
            queue.store.when_request(op, lambda op=op, **kw: requests.append(op))
        assert queue.run_once().uploaded == ["big"]
        assert requests == ["PutObject"], "only the small .json goes up again"
        queue.close()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> SeaweedServer:
    """One server for the tests that do not kill it."""
    with SeaweedServer(tmp_path_factory.mktemp("weed")) as running:
        yield running


def test_orphaned_multipart_upload_is_aborted(shared: SeaweedServer, tmp_path: Path) -> None:
    """An upload the queue does not know (e.g. created just before a crash) is aborted, not left to rot."""
    prefix = f"orphans/{tmp_path.name}"
    cfg = make_config(tmp_path, shared, prefix=prefix)
    client = shared.client()
    orphan = client.create_multipart_upload(Bucket="clips", Key=f"{prefix}/booth-07/{DAY}/lost.mp4")["UploadId"]
    other = client.create_multipart_upload(Bucket="clips", Key=f"{prefix}-other/x.mp4")["UploadId"]
    queue = UploadQueue(cfg)
    assert queue.abort_stale() == 1
    assert [u[1] for u in pending_uploads(client) if u[0].startswith(prefix)] == [other]
    assert orphan != other
    queue.close()


def _interrupted(server: SeaweedServer, state: Path, prefix: str) -> tuple[UploadQueue, str, int]:
    """A queue whose worker was stopped after the first part of a 3+ part clip."""
    cfg = make_config(state, server, prefix=prefix, max_kbytes_per_s=8192)
    clip = make_clip(state / "clips", "big", frames=100, size=(320, 240), lossless=True)
    parts = -(-clip.video.stat().st_size // (5 << 20))
    assert parts >= 3
    queue = UploadQueue(cfg)
    first = threading.Event()
    queue.when_part_sent = lambda key, number: first.set()
    queue.enqueue(clip)
    queue.start()
    assert first.wait(60)
    queue.stop(timeout=30)
    return queue, f"{prefix}/booth-07/{DAY}/big.mp4", parts


def test_stopped_worker_resumes_where_it_stopped(shared: SeaweedServer, tmp_path: Path) -> None:
    queue, key, parts = _interrupted(shared, tmp_path, f"stop/{tmp_path.name}")
    assert queue.status().in_progress == ""
    seen: list[str] = []
    queue.when_part_sent = lambda key, number: seen.append(queue.status().in_progress)
    state = queue.db.multipart(key)
    assert state is not None and 1 <= len(state.parts) < parts
    assert queue.status().queued == 1
    sent: list[int] = []
    queue.store.when_request("UploadPart", lambda **kw: sent.append(1))
    assert queue.run_once().uploaded == ["big"]
    assert len(sent) == parts - len(state.parts)
    assert seen and seen[0].startswith("big: ") and "bytes (part" in seen[0]
    assert [u for u in pending_uploads(shared.client()) if u[0] == key] == []
    queue.close()


def test_clip_deleted_mid_upload_fails_and_its_upload_is_aborted(shared: SeaweedServer, tmp_path: Path) -> None:
    queue, key, _ = _interrupted(shared, tmp_path, f"gone/{tmp_path.name}")
    assert [u for u in pending_uploads(shared.client()) if u[0] == key]
    video = tmp_path / "clips" / DAY / "big.mp4"
    video.unlink()
    assert queue.run_once().failed == ["big"]
    assert queue.status().failures == (("big", f"{video.resolve()}: video or sidecar is missing"),)
    assert [u for u in pending_uploads(shared.client()) if u[0] == key] == []
    assert queue.db.multipart(key) is None
    queue.close()


DRAIN_SCRIPT = textwrap.dedent("""
    import sys
    from magicbooth.core.config import load_config
    from magicbooth.upload.queue import UploadQueue
    queue = UploadQueue(load_config(sys.argv[1]))
    print("draining", flush=True)
    queue.drain(timeout=120)
    print("drained", flush=True)
""")


def test_queue_process_killed_mid_drain_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    with SeaweedServer(tmp_path / "weed") as server:
        # Slow enough (2 MiB/s) that the kill lands inside the big clip's multipart upload.
        cfg = make_config(tmp_path, server, max_kbytes_per_s=2048)
        config_file = tmp_path / "magicbooth.toml"
        config_file.write_text(_toml(cfg))
        clips = [make_clip(tmp_path / "clips", f"s{i:02d}", seed=i) for i in range(20)]
        clips.append(make_clip(tmp_path / "clips", "zz-big", frames=90, size=(320, 240), lossless=True, seed=99))
        key = MP4 + "zz-big.mp4"

        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
        proc = subprocess.Popen([sys.executable, "-c", DRAIN_SCRIPT, str(config_file)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        db = QueueDB(tmp_path / DB_NAME)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            state = db.multipart(key)
            if state is not None and len(state.parts) >= 1:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
        first_upload = db.multipart(key)
        assert first_upload is not None and first_upload.parts, "the kill should land mid-multipart"
        db.close()

        rerun = subprocess.run([sys.executable, "-c", DRAIN_SCRIPT, str(config_file)], env=env,
                               capture_output=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]

        client = server.client()
        keys = list_keys(client, prefix="booths/")
        expected = sorted(object_key("booths", "booth-07", DAY, c.id, ext) for c in clips for ext in ("json", "mp4"))
        assert keys == expected
        assert pending_uploads(client) == [], "the interrupted upload was completed, not duplicated"
        for clip in iter_clips(tmp_path / "clips"):
            assert clip.upload_state == "uploaded", clip.id
            body = fetch(client, object_key("booths", "booth-07", DAY, clip.id, "mp4"))
            assert hashlib.sha256(body).hexdigest() == clip.meta["sha256"]
        db = QueueDB(tmp_path / DB_NAME)
        assert db.counts() == {"queued": 0, "uploading": 0, "uploaded": 21, "failed": 0}
        db.close()


def _toml(cfg: object) -> str:
    up = cfg.upload  # type: ignore[attr-defined]
    dev = cfg.device  # type: ignore[attr-defined]
    return (f'[device]\nid = "{dev.id}"\nstate_dir = "{dev.state_dir}"\n[upload]\nendpoint = "{up.endpoint}"\n'
            f'bucket = "{up.bucket}"\nprefix = "{up.prefix}"\ncredentials_file = "{up.credentials_file}"\n'
            f"part_size_mb = {up.part_size_mb}\nmax_kbytes_per_s = {up.max_kbytes_per_s}\n"
            f"retry_min_s = {up.retry_min_s}\nretry_max_s = {up.retry_max_s}\n")
