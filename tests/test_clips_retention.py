"""Retention: oldest uploaded clips go first; never-uploaded ones only when config allows; status levels."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import numpy as np
import pytest
from recorder_support import small_disk

from magicbooth.core.config import StorageConfig
from magicbooth.core.errors import StorageFullError
from magicbooth.library.clips import delete_clip, iter_clips, write_sidecar
from magicbooth.library.storage import MB, enforce_retention, ensure_space, free_bytes, storage_status
from magicbooth.recording.finalise import base_meta, final_path

STATES = ["uploaded", "off", "uploaded", "uploading", "failed", "uploaded", "queued"]


def fill(root, states=STATES, size=400_000):
    """One clip file (random bytes, ``size``) with a sidecar per state, oldest first."""
    rng = np.random.default_rng(0)
    ids = []
    for n, state in enumerate(states):
        started = datetime(2026, 1, 1 + n, 12, 0, tzinfo=UTC)
        clip_id = f"{started:%Y%m%d-%H%M%S}-{n:06x}"
        video = final_path(root, clip_id, started)
        video.parent.mkdir(parents=True, exist_ok=True)
        video.write_bytes(rng.bytes(size))
        write_sidecar(video, {**base_meta(clip_id, started, "test", ""), "upload_state": state})
        ids.append(clip_id)
    return ids


def test_retention_deletes_oldest_uploaded_first_and_keeps_the_rest(tmp_path):
    with small_disk(tmp_path / "disk", 4096) as disk:
        ids = fill(disk)
        free = free_bytes(disk)
        want = (free + 600_000) / MB                # needs two clips' worth back
        deleted = enforce_retention(disk, StorageConfig(low_free_mb=want, min_free_mb=0.1))
        assert [c.id for c in deleted] == [ids[0], ids[2]]
        left = {c.id: c.upload_state for c in iter_clips(disk)}
        assert left == {i: s for i, s in zip(ids, STATES, strict=True) if i not in (ids[0], ids[2])}
        assert free_bytes(disk) >= want * MB
        assert not (disk / "2026-01-01").exists()   # an emptied day folder goes too


def test_retention_never_touches_unuploaded_clips_unless_allowed(tmp_path):
    with small_disk(tmp_path / "disk", 4096) as disk:
        ids = fill(disk)
        impossible = StorageConfig(low_free_mb=4096, min_free_mb=4000)
        deleted = enforce_retention(disk, impossible)
        assert {c.id for c in deleted} == {ids[0], ids[2], ids[5]}          # every uploaded one, no other
        with pytest.raises(StorageFullError, match="delete_unuploaded"):
            ensure_space(disk, impossible)
        assert len(list(iter_clips(disk))) == 4

        allowed = StorageConfig(low_free_mb=4096, min_free_mb=4000, delete_unuploaded=True)
        deleted = enforce_retention(disk, allowed)
        assert [c.id for c in deleted] == [ids[1], ids[4], ids[6]]          # oldest first; never "uploading"
        assert [c.upload_state for c in iter_clips(disk)] == ["uploading"]


def test_max_age_deletes_old_uploaded_clips_only(tmp_path):
    ids = fill(tmp_path, ["uploaded", "off", "uploaded"], size=1000)
    clips = list(iter_clips(tmp_path))
    old = time.time() - 10 * 86400
    for clip in clips[:2]:
        os.utime(clip.video, (old, old))
    deleted = enforce_retention(tmp_path, StorageConfig(max_age_days=7, low_free_mb=0, min_free_mb=0))
    assert [c.id for c in deleted] == [ids[0]]
    assert [c.id for c in iter_clips(tmp_path)] == ids[1:]


def test_storage_status_levels(tmp_path):
    with small_disk(tmp_path / "disk", 2048) as disk:
        fill(disk, ["uploaded", "off"], size=300_000)
        free_mb = free_bytes(disk) / MB
        assert storage_status(disk, StorageConfig(min_free_mb=0, low_free_mb=0)).level == "ok"
        low = storage_status(disk, StorageConfig(min_free_mb=0, low_free_mb=free_mb + 1))
        assert low.level == "low" and low.clips == 2 and low.not_uploaded == 1
        assert "storage low" in low.message
        full = storage_status(disk, StorageConfig(min_free_mb=free_mb + 1, low_free_mb=free_mb + 2))
        assert full.level == "full"


def test_one_way_to_delete_a_clip_by_record_or_by_video_path(tmp_path):
    """Retention, 'clips delete' and the booth's retake share delete_clip; it takes a Clip or the video's path."""
    fill(tmp_path, ["uploaded", "off"], size=1000)
    first, second = iter_clips(tmp_path)
    delete_clip(first)
    delete_clip(second.video)
    assert list(iter_clips(tmp_path)) == []
    assert sorted(p.name for p in tmp_path.rglob("*")) == []       # sidecars and emptied days went too
