"""A damaged upload queue database (garbage, cut short, a folder, broken pages) never stops recording: it is
kept aside, the queue is rebuilt from the clip library (each sidecar knows its upload state), and the
operator is told, in the log and in ``upload --status``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import write_clip
from upload_helpers import make_clip, write_credentials

from magicbooth.cli import main
from magicbooth.core.config import load_config
from magicbooth.library.clips import UploadState, iter_clips, update_sidecar
from magicbooth.upload.database import QueueDB
from magicbooth.upload.queue import UploadQueue

DB = "uploads.sqlite3"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[str, Path, Path]:
    """A config with uploads on (to an address nothing answers), a 30-frame source, and a library with clips
    in every upload state."""
    state, clips = tmp_path / "state", tmp_path / "clips"
    state.mkdir()
    for n, upload_state in enumerate(("queued", "uploading", "uploaded", "failed", "off")):
        clip = make_clip(clips, f"20261120-12000{n}-aaaaa{n}")
        update_sidecar(clip.video, upload_state=upload_state,
                       upload_error="sha256 mismatch" if upload_state == "failed" else "")
    source = write_clip(tmp_path / "in.mp4", 30)
    creds = write_credentials(tmp_path / "s3.toml")
    cfg = tmp_path / "magicbooth.toml"
    cfg.write_text(f'[device]\nstate_dir = "{state}"\n[camera]\nsource = "{source}"\nrealtime = false\nloop = false\n'
                   f'[storage]\nclips_dir = "{clips}"\nmin_free_mb = 0\nlow_free_mb = 0\n'
                   f'[upload]\nendpoint = "http://127.0.0.1:9"\nbucket = "clips"\ncredentials_file = "{creds}"\n')
    return str(cfg), state, clips


def _real_database(state: Path, clips: Path, cfg: str) -> Path:
    """A genuine queue database with many jobs, so that it spans many pages."""
    queue = UploadQueue(load_config(cfg))
    try:
        for i in range(400):
            queue.db.add(f"filler-{i:04d}-{'x' * 200}", clips / "2026-11-20" / f"filler-{i}.mp4")
    finally:
        queue.close()
    with sqlite3.connect(state / DB) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return state / DB


def _damage(state: Path, clips: Path, cfg: str, how: str) -> None:
    path = state / DB
    if how == "garbage":
        path.write_bytes(b"\x13\x37 not SQLite at all " * 500)
    elif how == "a folder":
        path.mkdir()
    elif how == "cut short":
        real = _real_database(state, clips, cfg).read_bytes()
        path.write_bytes(real[:len(real) // 3])
    elif how == "damaged pages":
        real = bytearray(_real_database(state, clips, cfg).read_bytes())
        page = 4096
        assert len(real) > 8 * page
        real[3 * page:6 * page] = b"\xa5" * (3 * page)      # three pages in the middle of the jobs table
        path.write_bytes(bytes(real))
    else:
        raise AssertionError(how)


HOW = ["garbage", "a folder", "cut short", "damaged pages"]


@pytest.mark.parametrize("how", HOW)
def test_record_goes_on_and_the_new_clip_is_queued(setup: tuple[str, Path, Path], how: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cfg, state, clips = setup
    _damage(state, clips, cfg, how)
    assert main(["--config", cfg, "record", "--seconds", "0.3", "--pre-roll", "0"]) == 0
    out, log = capsys.readouterr()
    assert "saved" in out
    assert "upload queue database was damaged" in log and "rebuilt from the clip library" in log
    kept = list(state.glob(f"{DB}.corrupt-*"))
    assert len([p for p in kept if not p.name.endswith(("-wal", "-shm"))]) == 1
    newest = max(iter_clips(clips), key=lambda c: c.id)
    queue = UploadQueue(load_config(cfg))
    try:
        job = queue.db.job(newest.id)
        assert job is not None and job.state == UploadState.QUEUED
    finally:
        queue.close()


@pytest.mark.parametrize("how", HOW)
def test_upload_status_rebuilds_the_queue_from_the_sidecars_and_says_so(
        setup: tuple[str, Path, Path], how: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg, state, clips = setup
    _damage(state, clips, cfg, how)
    assert main(["--config", cfg, "upload", "--status"]) == 0
    out = capsys.readouterr().out
    # queued + uploading (interrupted, so queued again); 'off' clips wait for the uploader's scan
    assert "queued 2, uploading 0, uploaded 1, failed 1" in out
    assert "failed 20261120-120003-aaaaa3: sha256 mismatch" in out
    assert "the queue database was damaged and rebuilt from the clip library" in out and ".corrupt-" in out
    assert main(["--config", cfg, "upload", "--status"]) == 0    # the next run finds a good database
    assert "queued 2, uploading 0, uploaded 1, failed 1" in capsys.readouterr().out


def test_upload_once_with_damaged_pages_is_no_traceback(setup: tuple[str, Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cfg, state, clips = setup
    _damage(state, clips, cfg, "damaged pages")
    assert main(["--config", cfg, "upload", "--once"]) == 1          # the store cannot be reached: wait
    out = capsys.readouterr().out
    assert "queued 3" in out                                          # the scan added the 'off' clip


def test_damage_found_while_running_is_healed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clips = tmp_path / "clips"
    clip = make_clip(clips, "20261120-120000-aaaaaa")
    update_sidecar(clip.video, upload_state="queued")
    path = tmp_path / DB
    rebuilt: list[int] = []
    db = QueueDB(path, when_rebuilt=lambda fresh: rebuilt.append(1) or fresh.add(clip.id, clip.video))
    try:
        for i in range(300):
            db.add(f"filler-{i:04d}-{'y' * 200}", clips / f"{i}.mp4")
        with db._lock:
            db._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = bytearray(path.read_bytes())
        raw[2 * 4096:5 * 4096] = b"\x5a" * (3 * 4096)
        path.write_bytes(bytes(raw))
        db.close()
        # As if the pages broke while the database was open: a connection that skipped the opening check.
        db._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        counts = db.counts()
    finally:
        db.close()
    assert rebuilt == [1] and counts[UploadState.QUEUED] == 1
    assert "damaged pages found while in use" in caplog.text


def test_a_state_directory_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("not a folder")
    from magicbooth.core.errors import UploadError
    with pytest.raises(UploadError, match=r"state directory is a file, not a folder; set \[device\] state_dir"):
        QueueDB(blocker / DB)


def test_a_queue_that_cannot_open_does_not_stop_recording(setup: tuple[str, Path, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    cfg, state, _clips = setup
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(state)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a read-only state directory here (not root)")
    try:
        assert main(["--config", cfg, "record", "--seconds", "0.2", "--pre-roll", "0"]) == 0
        out, log = capsys.readouterr()
        assert "saved" in out and "clips are still recorded, and queued when 'magicbooth upload' next runs" in log
        assert main(["--config", cfg, "upload", "--status"]) == 2            # the uploader itself says why
        err = capsys.readouterr().err
        assert "magicbooth: error:" in err and "Traceback" not in err and str(state) in err
    finally:
        subprocess.run(["umount", "-l", str(state)], check=False)
