"""Frame sources: files, images, the bundled sample, and ``auto``."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from magicbooth.camera import FileSource, Picamera2Source, WebcamSource, open_source, sample_path
from magicbooth.core.config import Config
from magicbooth.core.errors import SourceError


def test_file_source_reads_every_frame_in_rgb(clip: Path) -> None:
    with FileSource(clip) as source:
        assert source.size == (160, 120)
        assert source.fps == pytest.approx(30)
        frames = []
        while (frame := source.read()) is not None:
            frames.append(frame)
    assert len(frames) == 45
    assert [f.index for f in frames] == list(range(45))
    first = frames[0].image
    assert first.dtype == np.uint8 and first.shape == (120, 160, 3)
    # left half is pure blue in RGB order: channel 2 high, channel 0 low
    assert first[:, :70, 2].mean() > 240 and first[:, :70, 0].mean() < 15
    # the red channel encodes the frame index (x264 at CRF 12 keeps it within a few levels)
    assert abs(int(frames[10].image[:, 100:, 0].mean()) - 70) <= 4
    assert all(b.t >= a.t for a, b in itertools.pairwise(frames))


def test_file_source_loops_and_resizes(clip: Path) -> None:
    with FileSource(clip, loop=True, size=(80, 60)) as source:
        frames = [source.read() for _ in range(100)]
    assert all(f is not None and f.image.shape == (60, 80, 3) for f in frames)


def test_realtime_pacing_follows_file_fps(clip: Path) -> None:
    with FileSource(clip, realtime=True) as source:
        frames = [source.read() for _ in range(16)]
    span = frames[-1].t - frames[0].t
    assert 0.4 < span < 1.0  # 15 intervals at 30 fps = 0.5 s


def test_image_source(tmp_path: Path) -> None:
    path = tmp_path / "still.png"
    image = np.zeros((50, 70, 3), np.uint8)
    image[..., 0] = 255  # red in RGB
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    with FileSource(path) as source:
        frame = source.read()
        assert source.read() is None
    assert frame is not None and frame.image[..., 0].min() == 255 and frame.image[..., 2].max() == 0


@pytest.mark.parametrize("bad", ["missing.mp4", "garbage.mp4", "garbage.png"])
def test_unreadable_files_raise_source_error(tmp_path: Path, bad: str) -> None:
    if bad.startswith("garbage"):
        (tmp_path / bad).write_bytes(b"not a video at all" * 10)
    with pytest.raises(SourceError, match=bad):
        FileSource(tmp_path / bad).open()


def test_sample_source_delivers_real_frames(config: Config) -> None:
    assert sample_path().stat().st_size < 1_000_000
    with open_source("sample", config, realtime=False) as source:
        frames = [source.read() for _ in range(200)]  # longer than the clip: it loops
    assert all(f is not None and f.image.shape == (480, 640, 3) for f in frames)
    assert frames[0].image.std() > 30  # a real picture, not a flat colour


def test_unknown_source_spec(config: Config) -> None:
    with pytest.raises(SourceError, match="expected auto, picamera2, webcam"):
        open_source("nonsense-source", config)
    with pytest.raises(SourceError, match="webcam:N"):
        open_source("webcam:x", config)


def test_auto_picks_sample_without_camera(config: Config, caplog: pytest.LogCaptureFixture) -> None:
    if Picamera2Source.available() or WebcamSource.available(0):
        pytest.skip("this machine has a camera, so auto rightly does not choose the sample")
    caplog.set_level("INFO")
    source = open_source("auto", config)
    assert isinstance(source, FileSource) and source.path == sample_path()
    assert "using the bundled sample clip" in caplog.text


def test_webcam_missing_device_is_camera_error(tmp_path: Path) -> None:
    from magicbooth.core.errors import CameraError

    with pytest.raises(CameraError, match="no such camera"):
        WebcamSource(str(tmp_path / "video99")).open()


def test_the_sample_clip_never_shows_past_the_photo() -> None:
    """tools/make_sample.py never shows past its photo (a mirrored border once made a second patch of hair)."""
    import cv2

    from tools.make_sample import EXTEND, FPS, HEIGHT, WIDTH, matrix_at

    top, left, right = EXTEND
    size = (512 + left + right, 512 + top)       # the astronaut photo with its extended backdrop
    ones = np.full((size[1], size[0]), 255, np.uint8)
    for i in range(6 * FPS):
        covered = cv2.warpAffine(ones, matrix_at(size, i / FPS), (WIDTH, HEIGHT), flags=cv2.INTER_NEAREST,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        assert covered.min() == 255, f"frame {i} reaches past the photo"
