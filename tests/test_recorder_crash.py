"""kill -9 in the middle of a clip: the partial plays up to its last fragment, and recovery saves it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from recorder_support import FPS, config_for, read_back

from magicbooth.library.clips import iter_clips
from magicbooth.recording.finalise import sha256_of
from magicbooth.recording.recovery import recover_partials

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from recorder_support import config_for, numbered
    from magicbooth.recording.recorder import Recorder

    rec = Recorder(config_for(Path(sys.argv[1]), pre_roll_s=0.0), (320, 240), 30, effect="crash").open()
    rec.start()
    t0 = time.monotonic()
    print("recording", flush=True)
    i = 0
    while True:
        rec.push(numbered(i, (320, 240)), time.monotonic())
        i += 1
        time.sleep(max(0.0, t0 + i / 30 - time.monotonic()))
""")


def record_then_kill(root: Path, seconds: float) -> float:
    """Run a recording in a subprocess, SIGKILL it after ``seconds``; returns the seconds it recorded."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(Path(__file__).parent)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()
        assert line.strip() == "recording", child.stderr.read()
        started = time.monotonic()
        time.sleep(seconds)
        child.send_signal(signal.SIGKILL)
        elapsed = time.monotonic() - started
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    return elapsed


def test_kill_9_mid_clip_loses_at_most_a_fragment_and_recovery_saves_it(tmp_path):
    elapsed = record_then_kill(tmp_path, 3.2)
    partials = list((tmp_path / ".partial").glob("*.mp4"))
    assert len(partials) == 1

    got = read_back(partials[0])                       # decodes as it lies on disk
    assert got["frames"] >= (elapsed - 1.5) * FPS, f"{got['frames']} frames after {elapsed:.1f} s"
    assert got["indices"] == list(range(got["frames"]))

    recovered = recover_partials(tmp_path, config_for(tmp_path))
    assert len(recovered) == 1
    clip = recovered[0]
    assert read_back(clip.video)["frames"] == got["frames"]
    meta = json.loads(clip.sidecar.read_text())
    assert meta["stop_reason"] == "recovered" and meta["effect"] == "crash"
    assert meta["frames"] == got["frames"]
    assert meta["sha256"] == sha256_of(clip.video)
    assert not list((tmp_path / ".partial").iterdir())
    assert [c.id for c in iter_clips(tmp_path)] == [partials[0].stem]


def test_a_partial_with_nothing_playable_is_kept_aside_not_deleted(tmp_path):
    partial_dir = tmp_path / ".partial"
    partial_dir.mkdir()
    (partial_dir / "20260101-000000-abcdef.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom")
    assert recover_partials(tmp_path, config_for(tmp_path)) == []
    assert (partial_dir / "20260101-000000-abcdef.unplayable.mp4").exists()
    assert recover_partials(tmp_path, config_for(tmp_path)) == []       # and it is not retried


@pytest.mark.parametrize("leftover", ["final", "recovered"])
def test_recovery_removes_only_derived_half_copies(tmp_path, leftover):
    elapsed = record_then_kill(tmp_path, 1.6)
    partial = next((tmp_path / ".partial").glob("*.mp4"))
    half = partial.with_name(f"{partial.stem}.{leftover}.mp4")
    half.write_bytes(b"half-written copy")
    clips = recover_partials(tmp_path, config_for(tmp_path))
    assert len(clips) == 1 and not half.exists()
    assert read_back(clips[0].video)["frames"] >= (elapsed - 1.5) * FPS


def test_recovery_adds_the_configured_music(tmp_path):
    record_then_kill(tmp_path, 1.6)
    cfg = config_for(tmp_path).replace("audio", music="bundled")
    clip = recover_partials(tmp_path, cfg)[0]
    got = read_back(clip.video)
    assert clip.meta["audio"] == "music"
    assert got["audio"][0][0] == "aac"
    assert got["audio"][0][1] == pytest.approx(clip.meta["duration_s"], abs=0.06)


def test_opening_a_recorder_recovers_partials_and_hands_them_on(tmp_path):
    from recorder_support import SIZE

    from magicbooth.recording.recorder import Recorder

    record_then_kill(tmp_path, 1.6)
    saved = []
    with Recorder(config_for(tmp_path), SIZE, FPS, when_saved=saved.append):
        pass
    assert len(saved) == 1 and saved[0].meta["stop_reason"] == "recovered"
    assert saved[0].video.exists() and not list((tmp_path / ".partial").glob("*.mp4"))


def test_recovery_leaves_a_partial_that_is_still_being_recorded_alone(tmp_path):
    """E.g. 'magicbooth record' from cron starting while the booth records: the booth's clip is not touched."""
    from recorder_support import SIZE, push_paced

    from magicbooth.recording.recorder import Recorder

    cfg = config_for(tmp_path, pre_roll_s=0.0)
    with Recorder(cfg, SIZE, FPS) as rec:
        rec.start()
        push_paced(rec, 0, 40)
        partial = next((tmp_path / ".partial").glob("*.mp4"))
        assert recover_partials(tmp_path, cfg) == []           # locked: skipped, not renamed
        assert partial.exists()
        push_paced(rec, 40, 20)
        clip = rec.stop().result(timeout=20)
    assert read_back(clip.video)["indices"] == list(range(60))
    assert recover_partials(tmp_path, cfg) == []


@pytest.mark.parametrize("configured", ["booth 07/α", ""])
def test_recorder_recovery_and_uploads_name_the_device_alike(tmp_path, configured):
    """One device id: a recorded clip's sidecar, a sidecar recovery writes and the upload key all say the same."""
    import av
    import numpy as np
    from recorder_support import SIZE, push_paced

    from magicbooth.core.machine import device_id
    from magicbooth.library.clips import read_sidecar
    from magicbooth.recording.recorder import Recorder
    from magicbooth.upload.queue import UploadQueue

    cfg = config_for(tmp_path, pre_roll_s=0.0).replace("device", id=configured)
    want = device_id(configured)
    with Recorder(cfg, SIZE, FPS) as rec:
        rec.start()
        push_paced(rec, 0, 10)
        clip = rec.stop().result(timeout=30)
    assert clip.meta["device_id"] == want
    # A library video that carries no metadata of its own: recovery names the device from the config.
    foreign = tmp_path / "2026-01-01" / "20260101-000000-abcdef.mp4"
    foreign.parent.mkdir()
    with av.open(str(foreign), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        for _ in range(3):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(np.zeros((SIZE[1], SIZE[0], 3), np.uint8))))
        out.mux(stream.encode())
    recover_partials(tmp_path, cfg)
    assert read_sidecar(foreign)["device_id"] == want
    queue = UploadQueue(cfg, db_path=tmp_path / "uploads.sqlite3", clips_root=tmp_path)
    try:
        assert queue.device == want
    finally:
        queue.close()
