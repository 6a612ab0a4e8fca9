"""The picamera2 adapter against a fake that follows picamera2's documented API."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from magicbooth.camera import Picamera2Source
from magicbooth.core.config import Config
from magicbooth.core.errors import CameraError
from magicbooth.pipeline.builder import build_pipeline
from tests.fakes import picamera2 as fake


@pytest.fixture(autouse=True)
def world() -> fake.World:
    fake.WORLD.reset()
    return fake.WORLD


def source(**kwargs) -> Picamera2Source:
    return Picamera2Source(module=fake, timeout_s=0.05, **kwargs)


def test_frames_arrive_in_rgb_order(world: fake.World) -> None:
    world.scene_rgb = (200, 30, 10)
    with source(size=(64, 48), analysis_size=(0, 0)) as cam:
        frame = cam.read()
    assert frame is not None and frame.image.shape == (48, 64, 3)
    assert tuple(frame.image[0, 0]) == (200, 30, 10)
    assert frame.lores is None


def test_lores_stream_is_converted_to_rgb(world: fake.World) -> None:
    world.scene_rgb = (200, 30, 10)
    with source(size=(64, 48), analysis_size=(32, 24)) as cam:
        frame = cam.read()
    assert frame is not None and frame.lores is not None and frame.lores.shape == (24, 32, 3)
    assert frame.lores.flags.c_contiguous
    # every column is the scene (YUV round trip), the ISP's row padding (32 -> 64 bytes) is cut off
    assert np.abs(frame.lores.astype(int) - (200, 30, 10)).max() <= 6


def test_lores_rows_arrive_padded_to_the_isp_stride(world: fake.World) -> None:
    camera = fake.Picamera2()
    try:
        camera.configure(camera.create_video_configuration(main={"size": (640, 480)},
                                                           lores={"size": (200, 150), "format": "YUV420"}))
        camera.start()
        request = camera.capture_request(wait=1.0)
        assert request.make_array("lores").shape == (225, 256)
        assert camera.camera_config["lores"]["stride"] == 256
    finally:
        camera.close()


def test_lores_larger_than_main_is_refused(world: fake.World) -> None:
    with pytest.raises(CameraError, match="may not exceed main"):
        source(size=(320, 240), analysis_size=(640, 480)).open()


def test_configuration_requests_size_fps_buffers() -> None:
    cam = source(size=(320, 240), fps=25, buffer_count=3).open()
    config = cam._camera.camera_config
    cam.close()
    assert (config["main"]["format"], config["main"]["size"]) == ("BGR888", (320, 240))
    assert config["buffer_count"] == 3
    assert config["controls"]["FrameDurationLimits"] == (40000, 40000)


def test_camera_in_use_is_camera_error(world: fake.World) -> None:
    with source(), pytest.raises(CameraError, match="using it"):
        source().open()


def test_no_camera_is_camera_error(world: fake.World) -> None:
    world.cameras = 0
    with pytest.raises(CameraError, match="no Raspberry Pi camera detected"):
        source().open()
    assert not Picamera2Source.available(fake)


def test_timeout_is_camera_error(world: fake.World) -> None:
    with source() as cam:
        world.stall = True
        with pytest.raises(CameraError, match="no frame"):
            cam.read()


def test_pipeline_reopens_after_disconnect(world: fake.World) -> None:
    world.disconnect_after = 5
    config = Config().replace("camera", reopen_max_backoff_s=0.1)
    pipeline = build_pipeline(config, source=lambda: source(size=(32, 24), analysis_size=(0, 0)), effects=("none",),
                              live=True)
    stop = threading.Event()
    seen: list[int] = []

    def reconnect_later() -> None:
        deadline = time.monotonic() + 5
        while pipeline.capture is None or pipeline.capture.last_error is None:
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        world.disconnect_after = None  # plugged back in

    def count(work) -> None:
        seen.append(work.frame.index)
        if len(seen) >= 12:
            stop.set()

    pipeline.when_frame = count
    helper = threading.Thread(target=reconnect_later)
    helper.start()
    pipeline.run(stop, max_seconds=10)
    helper.join()
    assert len(seen) >= 12
    assert pipeline.source.reopens >= 1
    assert world.opened >= 2  # the camera really was closed and opened again
    assert not world.in_use  # and closed at the end
