"""The uploader never uploads from outside the clip library: a queued clip whose day folder or file has been
replaced by a symbolic link fails with a reason instead of sending whatever the link points at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from seaweed import SeaweedServer
from upload_helpers import list_keys, make_clip, make_config

from magicbooth.library.clips import read_sidecar, update_sidecar
from magicbooth.upload.queue import UploadQueue


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> SeaweedServer:
    with SeaweedServer(tmp_path_factory.mktemp("weed")) as running:
        yield running


@pytest.mark.parametrize("what", ["day folder", "video"])
def test_a_clip_reached_through_a_link_is_not_uploaded(server: SeaweedServer, tmp_path: Path, what: str) -> None:
    cfg = make_config(tmp_path, server, prefix=f"links/{tmp_path.name}")
    clips = tmp_path / "clips"
    clip = make_clip(clips, "clip-a")
    queue = UploadQueue(cfg)
    try:
        assert queue.enqueue(clip)
        # Afterwards someone swaps in a link to a file of their choosing, with the same name.
        outside = tmp_path / "outside"
        shutil.copytree(clip.video.parent, outside)
        if what == "day folder":
            shutil.rmtree(clip.video.parent)
            clip.video.parent.symlink_to(outside)
        else:
            clip.video.unlink()
            clip.video.symlink_to(outside / clip.video.name)
        result = queue.run_once()
        assert result.failed == ["clip-a"] and result.uploaded == []
        job = queue.db.job("clip-a")
        assert job is not None and "symbolic link" in job.error
    finally:
        queue.close()
    assert list_keys(server.client(), prefix=f"links/{tmp_path.name}/") == []


def test_a_rebuilt_sidecar_gets_the_state_the_queue_knows(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, None, endpoint="http://127.0.0.1:9")
    clip = make_clip(tmp_path / "clips", "clip-b")
    queue = UploadQueue(cfg, clips_root=tmp_path / "clips")
    try:
        queue.enqueue(clip)
        queue.db.set_state("clip-b", "uploaded")
        update_sidecar(clip.video, upload_state="off")      # as recovery writes a rebuilt sidecar
        queue.scan(tmp_path / "clips")
    finally:
        queue.close()
    assert read_sidecar(clip.video)["upload_state"] == "uploaded"   # so retention may delete it again
