"""Storage guard: a full disk or a low threshold stops recording cleanly and the file still plays."""

from __future__ import annotations

import time

import pytest
from recorder_support import FPS, SIZE, config_for, noise, read_back, small_disk

from magicbooth.core.errors import StorageFullError
from magicbooth.recording.recorder import Recorder


def push_until(rec: Recorder, done, limit: int = 600) -> int:
    for i in range(limit):
        if done():
            return i
        rec.push(noise(i), i / FPS)
        deadline = time.monotonic() + 5
        while rec.pending_frames > 1 and time.monotonic() < deadline:
            time.sleep(0.001)
    raise AssertionError(f"still recording after {limit} frames")


def test_disk_full_on_a_small_filesystem_stops_cleanly_and_the_file_plays(tmp_path):
    with small_disk(tmp_path / "disk", 1536) as disk:
        failures = []
        cfg = config_for(disk, pre_roll_s=0.0, crf=10)   # min_free_mb = 0: only ENOSPC stops it
        with Recorder(cfg, SIZE, FPS, when_failed=failures.append) as rec:
            rec.start()
            pushed = push_until(rec, lambda: not rec.is_recording)
            future = rec.stop()
            try:
                clip = future.result(timeout=30)
                video = clip.video
                assert clip.meta["stop_reason"] == "disk_full"
            except StorageFullError:       # not even room for the sidecar: it stays a partial
                video = next((disk / ".partial").glob("*.mp4"))
            assert isinstance(rec.error, StorageFullError)
            assert "disk full" in str(rec.error)
        assert failures and isinstance(failures[0], StorageFullError)
        got = read_back(video)
        assert got["frames"] >= FPS                    # at least one whole fragment plays
        assert got["frames"] <= pushed


def test_free_space_threshold_stops_recording_and_refuses_the_next_start(tmp_path):
    with small_disk(tmp_path / "disk", 3072) as disk:
        cfg = config_for(disk, pre_roll_s=0.0, crf=10).replace("storage", min_free_mb=1.5,
                                                               check_interval_s=0.1)
        with Recorder(cfg, SIZE, FPS) as rec:
            rec.start()
            push_until(rec, lambda: not rec.is_recording)
            clip = rec.stop().result(timeout=30)
            assert clip.meta["stop_reason"] == "storage_low"
            assert rec.status.storage == "full"
            with pytest.raises(StorageFullError, match="min_free_mb"):
                rec.start()
        got = read_back(clip.video)
        assert got["frames"] == clip.meta["frames"] > FPS


def test_start_is_refused_below_the_threshold_on_a_real_directory(tmp_path):
    """The fallback where no tmpfs can be mounted: a threshold above what is free."""
    cfg = config_for(tmp_path).replace("storage", min_free_mb=999_999.0, low_free_mb=999_999.0)
    with Recorder(cfg, SIZE, FPS) as rec, pytest.raises(StorageFullError, match=r"\[storage\] min_free_mb"):
        rec.start()
