"""One checked image reader (``core.media.read_image``): the header is read first and decoded pixels are
capped, so a small file cannot make the booth decode gigabytes; and files without a video stream say so."""

from __future__ import annotations

import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import write_clip

from magicbooth.camera.file import FileSource
from magicbooth.cli import main
from magicbooth.core import media
from magicbooth.core.errors import SourceError

SAMPLE = Path(__file__).resolve().parents[1] / "device" / "assets" / "sample.mp4"
MUSIC = Path(__file__).resolve().parents[1] / "device" / "assets" / "booth_theme.m4a"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A real, valid greyscale PNG of zeros: tiny on disk, ``width * height * 3`` bytes once decoded to colour."""
    squash = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    idat = b"".join(squash.compress(row) for _ in range(height)) + squash.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))
    return path


def jpeg_claiming(path: Path, width: int, height: int) -> Path:
    """A real JPEG whose frame header (SOF0) is patched to claim ``width`` x ``height``."""
    ok, data = cv2.imencode(".jpg", np.full((16, 16, 3), 128, np.uint8))
    assert ok
    raw = bytearray(data.tobytes())
    sof = raw.index(b"\xff\xc0")
    raw[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp", ".webp", ".tif"])
def test_header_size_of_every_image_kind_matches_the_decoder(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"x{suffix}"
    image = np.random.default_rng(1).integers(0, 255, (37, 53, 3), np.uint8)
    assert cv2.imwrite(str(path), image)
    assert media.image_size(path) == (53, 37)
    got = media.read_image(path)
    assert got.shape == (37, 53, 3) and got.dtype == np.uint8


def test_a_png_bomb_is_refused_before_decoding_with_little_memory(tmp_path: Path) -> None:
    bomb = png_bomb(tmp_path / "bomb.png", 12000, 12000)
    assert bomb.stat().st_size < 400_000                # 144 M pixels in a few hundred KB
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "magicbooth.cli", "analyze", str(bomb)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "12000x12000" in done.stderr and "megapixels" in done.stderr and str(bomb) in done.stderr
    # Decoding it would take 432 MB for the colour image alone; the child must stay well below.
    assert peak_mb < 350 or before / 1024 >= 350, f"peak {peak_mb:.0f} MB"


@pytest.mark.parametrize(("make", "size"), [
    (lambda p: png_bomb(p / "wide.png", 65535, 1), "65535x1"),
    (lambda p: jpeg_claiming(p / "big.jpg", 12000, 12000), "12000x12000"),
    (lambda p: jpeg_claiming(p / "max.jpg", 65535, 65535), "65535x65535"),
])
def test_headers_claiming_too_many_pixels_are_refused(tmp_path: Path, make, size: str) -> None:
    path = make(tmp_path)
    with pytest.raises(SourceError, match=rf"{size} pixels .* above the .* megapixels"):
        media.read_image(path, max_pixels=50_000)


def test_the_cap_is_a_parameter_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), np.zeros((480, 640, 3), np.uint8))
    with pytest.raises(SourceError, match=r"photo.png: 640x480 pixels \(0.3 megapixels\) is above the 0.1"):
        media.read_image(path, max_pixels=100_000)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"GIF89a\x10\x00\x10\x00", "not a PNG, JPEG"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "damaged"),
    (b"hello, world", "not a PNG, JPEG"),
])
def test_bad_image_files_are_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        media.read_image(path)


def test_a_directory_or_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        media.read_image(tmp_path / "none.png")
    with pytest.raises(SourceError, match="not a file"):
        media.read_image(tmp_path)


def test_alpha_images_keep_their_alpha_and_16_bit_becomes_8_bit(tmp_path: Path) -> None:
    path = tmp_path / "rgba.png"
    rgba = np.zeros((10, 12, 4), np.uint16)
    rgba[..., 2] = 65535        # red in BGR order
    rgba[..., 3] = 32768
    cv2.imwrite(str(path), rgba)
    got = media.read_image(path, alpha=True)
    assert got.shape == (10, 12, 4) and got.dtype == np.uint8
    assert tuple(got[0, 0]) == (255, 0, 0, 128)


def test_file_source_refuses_an_image_bomb(tmp_path: Path) -> None:
    bomb = png_bomb(tmp_path / "bomb.png", 9000, 9000)
    with pytest.raises(SourceError, match="megapixels"):
        FileSource(bomb).open()


def test_cli_analyze_of_a_65535_square_png_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.png"
    ihdr = struct.pack(">IIBBBBB", 65535, 65535, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) +
                     _chunk(b"IEND", b""))
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "65535x65535 pixels" in err


# -- videos ------------------------------------------------------------------------------------------------


def test_a_file_without_a_video_stream_says_so(tmp_path: Path) -> None:
    audio = tmp_path / "song.mp4"
    audio.write_bytes(MUSIC.read_bytes())
    assert media.video_problem(audio) == "has no video stream"
    with pytest.raises(SourceError, match=r"song.mp4: has no video stream"):
        media.check_video(audio)
    with pytest.raises(SourceError, match=r"song.mp4: has no video stream"):
        FileSource(audio).open()


def test_file_source_checks_video_frame_size_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("magicbooth.camera.file.MAX_IMAGE_PIXELS", 100_000)   # the sample is 640x480
    with pytest.raises(SourceError, match=r"sample.mp4: 640x480 frames \(0.3 megapixels\) are above the 0.1"):
        FileSource(SAMPLE).open()


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "is empty"),
    (b"not a video at all" * 10, "is not a video file"),
])
def test_empty_and_foreign_files_say_what_they_are(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    assert problem in (media.video_problem(path) or "")


def test_a_truncated_video_says_so(tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(write_clip(tmp_path / "whole.mp4", 30).read_bytes()[:1500])
    assert "truncated or damaged" in (media.video_problem(cut) or "")
    assert media.video_problem(tmp_path / "whole.mp4") is None


def test_render_of_a_file_without_video_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audio = tmp_path / "zero.mp4"
    audio.write_bytes(MUSIC.read_bytes())
    assert main(["render", str(audio), str(tmp_path / "o.mp4")]) == 2
    err = capsys.readouterr().err
    assert "zero.mp4: has no video stream" in err and "tuple index" not in err


def test_a_music_track_without_audio_says_so(tmp_path: Path) -> None:
    from magicbooth.core.errors import RecorderError
    from magicbooth.recording.audio import load_music

    video_only = write_clip(tmp_path / "silent.mp4", 5)
    with pytest.raises(RecorderError, match=r"silent.mp4: has no audio stream; point \[audio\] music"):
        load_music(video_only, 1.0, 48000)
