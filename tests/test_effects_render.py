"""``magicbooth render``: clips and images through an effect, and clear errors."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from magicbooth.cli import main
from tests.photos import frame


def write_photo_clip(path: Path, count: int) -> Path:
    """A short real H.264 clip: the astronaut photo drifting a few pixels per frame."""
    base = np.asarray(frame("astronaut"))
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(count):
            img = cv2.resize(np.roll(base, 4 * i, axis=1), (320, 240), interpolation=cv2.INTER_AREA)
            vf = av.VideoFrame.from_ndarray(img, format="rgb24")
            vf.pts = i
            for packet in stream.encode(vf):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def decode(path: Path) -> tuple[str, list[np.ndarray]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.name, [f.to_ndarray(format="rgb24") for f in container.decode(stream)]


@pytest.mark.parametrize("effect", ["cartoon", "none"])
def test_render_round_trips_a_clip(tmp_path: Path, effect: str, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_photo_clip(tmp_path / "in.mp4", 12)
    out = tmp_path / "out.mp4"
    assert main(["render", str(src), str(out), "--effect", effect]) == 0
    assert "12 frames" in capsys.readouterr().out
    codec, frames = decode(out)
    assert codec == "h264" and len(frames) == 12
    assert frames[0].shape == (240, 320, 3)
    _, originals = decode(src)
    diff = np.mean([np.abs(a.astype(int) - b).mean() for a, b in zip(frames, originals, strict=True)])
    assert (diff < 3) if effect == "none" else (diff > 8)


def test_render_is_deterministic(tmp_path: Path) -> None:
    src = write_photo_clip(tmp_path / "in.mp4", 6)
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    for dst in (a, b):
        assert main(["render", str(src), str(dst), "--effect", "cartoon", "--option", "levels=4"]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_render_an_image(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    cv2.imwrite(str(src), np.asarray(frame("astronaut"))[:, :, ::-1])
    assert main(["render", str(src), str(dst), "--effect", "cartoon"]) == 0
    out = cv2.imread(str(dst))
    assert out.shape == (480, 640, 3)


@pytest.mark.parametrize(("args", "message"), [
    (["--effect", "glitter"], "unknown effect 'glitter'; valid effects: background, beauty, cartoon"),
    (["--effect", "cartoon", "--option", "levels=lots"], "levels='lots': expected an integer from 2 to 32"),
    (["--effect", "cartoon", "--option", "edge=1"], "has no option 'edge'; valid options: levels, edges, grade"),
    (["--effect", "cartoon", "--option", "levels"], "expected KEY=VALUE"),
])
def test_bad_effect_or_option_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.png"
    cv2.imwrite(str(src), np.zeros((8, 8, 3), np.uint8))
    assert main(["render", str(src), str(tmp_path / "o.png"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_missing_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(tmp_path / "none.mp4"), str(tmp_path / "o.mp4")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_render_a_face_effect_through_perception(tmp_path: Path) -> None:
    """The whole offline path: decode, int8 perception on every frame, sticker, H.264."""
    base = np.asarray(frame("two"))
    src = tmp_path / "faces.mp4"
    with av.open(str(src), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        for i in range(5):
            vf = av.VideoFrame.from_ndarray(np.roll(base, 3 * i, axis=1), format="rgb24")
            vf.pts = i
            for packet in stream.encode(vf):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    dst = tmp_path / "crowned.mp4"
    assert main(["render", str(src), str(dst), "--effect", "sticker", "--option", "design=crown"]) == 0
    _, frames = decode(dst)
    _, originals = decode(src)
    assert len(frames) == 5
    for got, original in zip(frames, originals, strict=True):
        gold = (got[..., 0].astype(int) > 200) & (got[..., 1] > 150) & (got[..., 2] < 90)
        was = (original[..., 0].astype(int) > 200) & (original[..., 1] > 150) & (original[..., 2] < 90)
        ys, xs = np.nonzero(gold & ~was)
        assert len(xs) > 300, "crowns are drawn"
        assert xs.min() < 320 < xs.max(), "on both heads"
        assert (ys < 240).mean() > 0.98, "above the faces"
