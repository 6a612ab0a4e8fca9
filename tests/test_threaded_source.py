"""ThreadedSource: the booth's and headless loop's frames come from a capture thread."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from fakes import picamera2 as fake

from magicbooth.camera import FileSource, Picamera2Source
from magicbooth.camera.threaded import ThreadedSource
from magicbooth.core.errors import CameraError


def test_slow_reader_gets_newest_frames_and_drops_are_counted(clip: Path) -> None:
    with ThreadedSource(FileSource(clip, loop=True, realtime=True, fps=100)) as source:
        indexes = []
        for _ in range(5):
            frame = source.read()
            assert frame is not None
            indexes.append(frame.index)
            time.sleep(0.1)  # drawing that takes 100 ms
    assert all(b - a >= 5 for a, b in itertools.pairwise(indexes)), indexes
    assert source.dropped >= 20


def test_end_of_file_is_none(clip: Path) -> None:
    with ThreadedSource(FileSource(clip, realtime=True, fps=200)) as source:
        frames = 0
        while source.read() is not None:
            frames += 1
    assert 1 <= frames <= 45


def test_lost_camera_raises_camera_error_without_blocking() -> None:
    fake.WORLD.reset()
    camera = Picamera2Source(module=fake, timeout_s=0.05, size=(32, 24), analysis_size=(0, 0))
    with ThreadedSource(camera, timeout_s=0.3, max_backoff_s=0.05) as source:
        assert source.read() is not None
        fake.WORLD.stall = True
        began = time.monotonic()
        with pytest.raises(CameraError, match="no frame"):
            for _ in range(20):
                source.read()
        assert time.monotonic() - began < 2.0
        fake.WORLD.stall = False
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if source.read() is not None:
                    break
            except CameraError:
                continue
        else:
            pytest.fail("camera did not come back")
    assert not fake.WORLD.in_use
