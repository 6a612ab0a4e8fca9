"""Live frames: a capture thread feeds the newest frame, and the one reconnect layer rides out a lost camera."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from _modes_support import ManualClock, SyntheticCamera
from fakes import picamera2 as fake

from magicbooth.camera import FileSource, Picamera2Source
from magicbooth.camera.reconnect import ReconnectingSource
from magicbooth.core.config import Config
from magicbooth.core.errors import CameraError, SourceError
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.flow import Pipeline


def live(opener, **camera) -> Pipeline:
    config = Config().replace("camera", **camera) if camera else Config()
    return build_pipeline(config, source=opener, effects=("none",), live=True)


def test_slow_reader_gets_newest_frames_and_drops_are_counted(clip: Path) -> None:
    pipeline = live(lambda: FileSource(clip, loop=True, realtime=True, fps=100))
    with pipeline:
        indexes = []
        for _ in range(5):
            frame = pipeline.next_frame(2.0)
            assert frame is not None
            indexes.append(frame.index)
            time.sleep(0.1)  # drawing that takes 100 ms
    assert all(b - a >= 5 for a, b in itertools.pairwise(indexes)), indexes
    assert pipeline.dropped >= 20


def test_end_of_file_is_none_and_exhausted(clip: Path) -> None:
    pipeline = live(lambda: FileSource(clip, realtime=True, fps=200))
    frames = 0
    with pipeline:
        deadline = time.monotonic() + 10
        while not pipeline.exhausted and time.monotonic() < deadline:
            if pipeline.next_frame(0.1) is not None:
                frames += 1
    assert pipeline.exhausted and 1 <= frames <= 45


def test_lost_camera_raises_camera_error_without_blocking_and_comes_back() -> None:
    fake.WORLD.reset()
    pipeline = live(lambda: Picamera2Source(module=fake, timeout_s=0.05, size=(32, 24), analysis_size=(0, 0)),
                    timeout_s=0.3, reopen_max_backoff_s=0.1)
    with pipeline:
        assert pipeline.next_frame(2.0) is not None
        fake.WORLD.stall = True
        began = time.monotonic()
        with pytest.raises(CameraError):
            for _ in range(40):
                pipeline.next_frame(0.05)
        assert time.monotonic() - began < 2.0
        assert pipeline.camera_error
        fake.WORLD.stall = False
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if pipeline.next_frame(0.1) is not None:
                    break
            except CameraError:
                continue
        else:
            pytest.fail("camera did not come back")
        assert pipeline.camera_error is None
    assert not fake.WORLD.in_use


def test_a_camera_missing_at_start_is_waited_for_only_when_asked() -> None:
    camera = SyntheticCamera()
    camera.unplugged = True
    pipeline = live(lambda: camera, reopen_max_backoff_s=0.1)
    with pytest.raises(CameraError, match="no camera on the bus"):
        pipeline.start()
    pipeline.stop()
    pipeline = live(lambda: camera, reopen_max_backoff_s=0.1)
    pipeline.start(wait_for_camera=True)
    try:
        camera.unplugged = False
        frame = pipeline.first_frame(lambda: False)
        assert frame is not None and pipeline.source.size == (160, 120)
    finally:
        pipeline.stop()


def test_a_bad_source_is_an_error_not_a_camera_to_wait_for(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        build_pipeline(Config(), source=str(tmp_path / "missing.mp4"), effects=("none",))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 10)
    pipeline = build_pipeline(Config(), source=str(broken), effects=("none",), live=True)
    with pytest.raises(SourceError, match="cannot decode"):
        pipeline.start(wait_for_camera=True)
    pipeline.stop()


def test_reconnect_backoff_doubles_and_never_blocks() -> None:
    clock = ManualClock()
    camera = SyntheticCamera()
    source = ReconnectingSource(lambda: camera, max_backoff_s=1.0, clock=clock)
    assert source.open().read() is not None
    camera.unplugged = True
    waits = []
    for _ in range(6):
        with pytest.raises(CameraError):
            source.read()          # fails now, and every read before the retry time fails at once
        waits.append(round(source.retry_in, 3))
        with pytest.raises(CameraError):
            source.read()
        clock.advance(source.retry_in)
    assert waits == [0.25, 0.5, 1.0, 1.0, 1.0, 1.0]
    camera.unplugged = False
    assert source.read() is not None and source.last_error is None and source.retry_in == 0
    assert camera.opens == 2 and source.reopens == 1
