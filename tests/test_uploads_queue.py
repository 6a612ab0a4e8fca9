"""The upload queue against a real SeaweedFS S3 server on loopback."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from pathlib import Path

import pytest
from seaweed import SECRET_KEY, SeaweedServer
from upload_helpers import DAY, fetch, list_keys, make_clip, make_config, pending_uploads, write_credentials

from magicbooth.core.errors import CredentialsError, UploadError
from magicbooth.library.clips import read_sidecar
from magicbooth.upload.queue import QueueBusyError, UploadQueue, object_key, queue_for_kept_clips, sidecar_payload


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> SeaweedServer:
    with SeaweedServer(tmp_path_factory.mktemp("weed")) as running:
        yield running


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path


def test_verified_upload_lands_under_device_and_day(server: SeaweedServer, state: Path) -> None:
    cfg = make_config(state, server, prefix=f"t1/{state.name}")
    clip = make_clip(state / "clips", "clip-a")
    queue = UploadQueue(cfg)
    assert queue.enqueue(clip)
    assert read_sidecar(clip.video)["upload_state"] == "queued"
    assert not queue.enqueue(clip), "enqueue is idempotent"

    result = queue.run_once()

    assert result.uploaded == ["clip-a"] and result.remaining == 0
    client = server.client()
    prefix = f"t1/{state.name}/booth-07/{DAY}/"
    assert list_keys(client, prefix=prefix) == [prefix + "clip-a.json", prefix + "clip-a.mp4"]
    body = fetch(client, prefix + "clip-a.mp4")
    assert hashlib.sha256(body).hexdigest() == clip.meta["sha256"]
    head = client.head_object(Bucket="clips", Key=prefix + "clip-a.mp4", ChecksumMode="ENABLED")
    assert head["Metadata"]["sha256"] == clip.meta["sha256"]
    uploaded_meta = json.loads(fetch(client, prefix + "clip-a.json"))
    assert uploaded_meta["sha256"] == clip.meta["sha256"] and "upload_state" not in uploaded_meta
    meta = read_sidecar(clip.video)
    assert meta["upload_state"] == "uploaded" and meta["upload_error"] == ""
    assert queue.status().uploaded == 1

    # Running again sends nothing and changes nothing.
    assert not queue.enqueue(clip)
    assert queue.run_once().uploaded == []
    queue.close()


def test_server_rejects_wrong_sha256(server: SeaweedServer, state: Path) -> None:
    """The x-amz-checksum-sha256 we send is checked by the store itself, not only by us."""
    from magicbooth.core.errors import StoreUnavailableError
    from magicbooth.upload.credentials import load_credentials
    from magicbooth.upload.store import ObjectStore

    cfg = make_config(state, server)
    store = ObjectStore.connect(cfg.upload, load_credentials(Path(cfg.upload.credentials_file)))
    data = b"clip bytes"
    with pytest.raises(StoreUnavailableError, match="BadDigest"):
        store.put(f"t2/{state.name}/x", data, md5=hashlib.md5(data).digest(), sha256=hashlib.sha256(b"other").digest())
    with pytest.raises(StoreUnavailableError, match="BadDigest"):
        store.put(f"t2/{state.name}/y", data, md5=hashlib.md5(b"other").digest())
    assert store.head(f"t2/{state.name}/x") is None


def test_tampered_clip_is_flagged_not_uploaded_not_deleted(server: SeaweedServer, state: Path) -> None:
    cfg = make_config(state, server, prefix=f"t3/{state.name}")
    good = make_clip(state / "clips", "good", seed=1)
    small = make_clip(state / "clips", "small-bad", seed=2)
    big = make_clip(state / "clips", "big-bad", seed=3, frames=120, size=(320, 240), lossless=True)
    assert big.video.stat().st_size > 10 << 20, "needs to be a multipart upload"
    for clip in (small, big):
        data = bytearray(clip.video.read_bytes())
        data[len(data) // 2] ^= 0xFF
        clip.video.write_bytes(bytes(data))
    queue = UploadQueue(cfg)
    for clip in (good, small, big):
        queue.enqueue(clip)

    result = queue.run_once()

    assert result.uploaded == ["good"] and sorted(result.failed) == ["big-bad", "small-bad"]
    client = server.client()
    keys = list_keys(client, prefix=f"t3/{state.name}/")
    assert [k.rsplit("/", 1)[1] for k in keys] == ["good.json", "good.mp4"]
    assert not [u for u in pending_uploads(client) if u[0].startswith(f"t3/{state.name}/")]
    for clip in (small, big):
        assert clip.video.is_file(), "a tampered clip is never deleted"
        meta = read_sidecar(clip.video)
        assert meta["upload_state"] == "failed"
        assert "does not match its sidecar" in meta["upload_error"]
    status = queue.status()
    assert status.failed == 2 and {c for c, _ in status.failures} == {"small-bad", "big-bad"}
    assert any("does not match" in line for line in status.lines())
    queue.close()


def test_wrong_credentials_give_clear_error_and_keep_queue(server: SeaweedServer, state: Path) -> None:
    creds = write_credentials(state / "bad.toml", secret_key="not-the-secret-123")
    cfg = make_config(state, server, prefix=f"t4/{state.name}", credentials=creds)
    clips = [make_clip(state / "clips", f"c{i}", seed=i) for i in range(3)]
    queue = UploadQueue(cfg)
    for clip in clips:
        queue.enqueue(clip)

    with pytest.raises(CredentialsError, match="refused the credentials") as info:
        queue.run_once()

    assert "not-the-secret-123" not in str(info.value)
    assert queue.status().queued == 3
    assert all(read_sidecar(c.video)["upload_state"] == "queued" for c in clips)
    assert list_keys(server.client(), prefix=f"t4/{state.name}/") == []
    queue.close()

    # Fixing the file is all it takes; nothing was lost.
    write_credentials(creds)
    queue = UploadQueue(cfg)
    assert sorted(queue.run_once().uploaded) == ["c0", "c1", "c2"]
    queue.close()


def test_hundred_clips_drain_verified(server: SeaweedServer, state: Path) -> None:
    cfg = make_config(state, server, prefix=f"t5/{state.name}")
    clips = [make_clip(state / "clips", f"clip-{i:03d}", seed=100 + i, day=f"2026-11-{10 + i % 3}")
             for i in range(100)]
    queue = UploadQueue(cfg)
    assert queue.scan(state / "clips") == 100

    result = queue.drain(timeout=120)

    assert len(result.uploaded) == 100 and result.remaining == 0
    client = server.client()
    keys = set(list_keys(client, prefix=f"t5/{state.name}/"))
    assert len(keys) == 200
    for clip in clips:
        mp4 = object_key(f"t5/{state.name}", "booth-07", clip.video.parent.name, clip.id, "mp4")
        head = client.head_object(Bucket="clips", Key=mp4)
        assert head["ETag"].strip('"') == hashlib.md5(clip.video.read_bytes()).hexdigest()
        assert head["Metadata"]["sha256"] == clip.meta["sha256"]
        sidecar = mp4[:-3] + "json"
        assert sidecar in keys
        meta = read_sidecar(clip.video)
        assert meta["upload_state"] == "uploaded"
        assert fetch(client, sidecar) == sidecar_payload(meta)
    assert queue.status().uploaded == 100
    queue.close()


def test_background_worker_uploads_enqueued_clip(server: SeaweedServer, state: Path) -> None:
    cfg = make_config(state, server, prefix=f"t6/{state.name}")
    queue = UploadQueue(cfg)
    queue.start()
    try:
        clip = make_clip(state / "clips", "live")
        queue.enqueue(clip)
        assert queue.wait_for_drained(timeout=30)
    finally:
        queue.stop(timeout=10)
    assert read_sidecar(clip.video)["upload_state"] == "uploaded"
    assert len(list_keys(server.client(), prefix=f"t6/{state.name}/")) == 2
    queue.close()


def test_uploads_off_leaves_clips_alone(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, None, endpoint="", bucket="")
    clip = make_clip(tmp_path / "clips", "offline")
    queue = UploadQueue(cfg)
    assert not queue.enabled and not queue.enqueue(clip)
    assert read_sidecar(clip.video)["upload_state"] == "off"
    assert queue.status().lines() == ["uploads: off ([upload] endpoint and bucket are not set)"]
    queue.close()


def test_bandwidth_limit_is_honoured(server: SeaweedServer, state: Path) -> None:
    cfg = make_config(state, server, prefix=f"t7/{state.name}", max_kbytes_per_s=1024)
    clip = make_clip(state / "clips", "paced", frames=40, size=(160, 120), lossless=True)
    size = clip.video.stat().st_size
    assert size > 700_000
    queue = UploadQueue(cfg)
    queue.enqueue(clip)
    start = time.monotonic()
    assert queue.run_once().uploaded == ["paced"]
    elapsed = time.monotonic() - start
    assert elapsed >= 0.8 * size / (1024 * 1024), elapsed
    queue.close()


def test_secrets_never_reach_the_logs(server: SeaweedServer, state: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = make_config(state, server, prefix=f"t8/{state.name}")
    queue = UploadQueue(cfg)
    queue.enqueue(make_clip(state / "clips", "quiet"))
    with caplog.at_level(logging.DEBUG):
        assert queue.run_once().uploaded == ["quiet"]
        text = "\n".join(queue.status().lines())
    assert caplog.records, "debug logging was on"
    assert SECRET_KEY not in caplog.text and SECRET_KEY not in text
    queue.close()


def test_upload_command_once(server: SeaweedServer, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from magicbooth.commands import Context
    from magicbooth.commands import upload as command

    cfg = make_config(state, server, prefix=f"t9/{state.name}")
    for i in range(3):
        make_clip(state / "clips", f"cli-{i}", seed=40 + i)
    args = argparse.Namespace(once=True, retry_failed=False, status=False)
    assert command.run(args, Context(_config=cfg)) == 0
    assert "uploaded 3, failed 0" in capsys.readouterr().out
    assert len(list_keys(server.client(), prefix=f"t9/{state.name}/")) == 6

    make_clip(state / "clips", "cli-bad", seed=49).video.write_bytes(b"changed")
    assert command.run(args, Context(_config=cfg)) == 1, "a clip failed: exit 1"
    assert "failed cli-bad: " in capsys.readouterr().out

    args.status, args.once = True, False
    assert command.run(args, Context(_config=cfg)) == 0
    out = capsys.readouterr().out
    assert f"t9/{state.name}/booth-07/" in out and SECRET_KEY not in out

    down = make_config(state, None, endpoint="http://127.0.0.1:9", prefix=f"t9/{state.name}")
    make_clip(state / "clips", "cli-late", seed=50)
    args.status, args.once = False, True
    assert command.run(args, Context(_config=down)) == 1, "store unreachable: exit 1, clip stays queued"
    assert read_sidecar(state / "clips" / DAY / "cli-late.mp4")["upload_state"] == "queued"

    off = make_config(state, None, endpoint="", bucket="")
    with pytest.raises(UploadError, match="uploading is off"):
        command.run(args, Context(_config=off))


def test_check_target_for_doctor(server: SeaweedServer, state: Path) -> None:
    good = UploadQueue(make_config(state, server))
    assert good.check_target().startswith(f"ok: {server.endpoint} bucket 'clips' reachable, keys from ")
    good.close()
    missing = UploadQueue(make_config(state, server, bucket="no-such-bucket"))
    assert "bucket 'no-such-bucket' does not exist" in missing.check_target()
    missing.close()
    creds = write_credentials(state / "wrong.toml", secret_key="wrong-secret-77")
    wrong = UploadQueue(make_config(state, server, credentials=creds))
    line = wrong.check_target()
    assert "refused the credentials" in line and "wrong-secret-77" not in line
    wrong.close()
    loose = write_credentials(state / "loose.toml", mode=0o644)
    assert "chmod 600" in UploadQueue(make_config(state, server, credentials=loose)).check_target()


def test_recorder_hook_queues_saved_clip_and_only_one_process_drains(server: SeaweedServer, state: Path) -> None:
    from recorder_support import FPS, SIZE, push_paced

    from magicbooth.recording.recorder import Recorder

    cfg = make_config(state, server, prefix=f"t10/{state.name}").replace("storage", min_free_mb=0.0,
                                                                          low_free_mb=0.0)
    with queue_for_kept_clips(cfg) as when_saved, Recorder(cfg, size=SIZE, fps=FPS, when_saved=when_saved) as recorder:
        recorder.start(pre_roll_s=0)
        push_paced(recorder, 0, 20)
        clip = recorder.stop(post_roll_s=0).result(timeout=30)
    assert read_sidecar(clip.video)["upload_state"] == "queued"

    drainer, other = UploadQueue(cfg), UploadQueue(cfg)
    assert drainer.run_once().uploaded == [clip.id]
    with pytest.raises(QueueBusyError, match="another magicbooth process is draining"):
        other.run_once()
    drainer.close()
    assert other.run_once().uploaded == [], "the lock is free once the first queue is closed"
    other.close()
    body = fetch(server.client(), object_key(f"t10/{state.name}", "booth-07", clip.video.parent.name, clip.id, "mp4"))
    assert hashlib.sha256(body).hexdigest() == read_sidecar(clip.video)["sha256"]
    assert read_sidecar(clip.video)["upload_state"] == "uploaded"


def test_doctor_shows_target_and_failures_without_secrets(server: SeaweedServer, state: Path) -> None:
    from magicbooth.doctor.checks import check_upload

    cfg = make_config(state, server, prefix=f"t11/{state.name}")
    assert check_upload(make_config(state, None, endpoint="", bucket="")).detail.startswith("off")
    clip = make_clip(state / "clips", "doc")
    clip.video.write_bytes(b"not the recorded clip")
    queue = UploadQueue(cfg)
    queue.run_once()
    queue.close()
    check = check_upload(cfg)
    assert check.status == "warn" and "reachable" in check.detail and "failed 1" in check.detail
    assert "doc: " in check.detail and "does not match its sidecar" in check.detail
    assert SECRET_KEY not in check.detail and SECRET_KEY not in check.fix
