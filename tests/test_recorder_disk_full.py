"""A full disk says what happened: a clip cut short is reported on the console and in the log and makes
``record`` exit non-zero; a clip with no frame is not a clip (nothing half-made is left behind); odd
frame sizes are cropped to even for the encoder instead of refused."""

from __future__ import annotations

import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from recorder_support import noise, read_back, small_disk

from magicbooth.cli import main
from magicbooth.library.clips import iter_clips


def noise_video(path: Path, frames: int, size: tuple[int, int] = (320, 240)) -> Path:
    """Incompressible frames, losslessly coded: re-encoding them fills a small disk fast."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"qp": "0", "preset": "ultrafast"}
        for i in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(noise(i, size), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _config(tmp_path: Path, source: Path, clips: Path, extra: str = "") -> str:
    cfg = tmp_path / "magicbooth.toml"
    cfg.write_text(f'[camera]\nsource = "{source}"\nrealtime = false\nloop = false\n'
                   f'[storage]\nclips_dir = "{clips}"\nmin_free_mb = 0\nlow_free_mb = 0\n'
                   f"[recorder]\ncrf = 0\nkeyframe_interval_s = 0.2\n{extra}")
    return str(cfg)


def _fill(disk: Path, leave_kb: int) -> None:
    """Fill the filesystem, then give back ``leave_kb``."""
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    size = filler.stat().st_size
    with open(filler, "r+b") as fh:
        fh.truncate(max(0, size - leave_kb * 1024))


def test_disk_full_during_record_says_where_the_clip_was_cut_and_exits_non_zero(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = noise_video(tmp_path / "noise.mp4", 90)
    with small_disk(tmp_path / "disk", 2048) as disk:
        cfg = _config(tmp_path, source, disk / "clips")
        status = main(["--config", cfg, "record", "--seconds", "3", "--pre-roll", "0"])
        out, err = capsys.readouterr()
        clips = list(iter_clips(disk / "clips"))
        assert status == 1, err
        assert len(clips) == 1
        clip = clips[0]
        assert clip.meta["stop_reason"] == "disk_full"
        cut = f"disk full: clip cut at {clip.meta['duration_s']:.1f} s"
        assert f"ERROR magicbooth.recording.recorder: {cut} (clip {clip.id}" in err   # the log: console, journal
        assert f"magicbooth: {cut}\n" in err                                     # the command's own summary
        assert f"saved {clip.video}" in out
        assert read_back(clip.video)["frames"] == clip.meta["frames"] >= 1


@pytest.mark.parametrize("leave_kb", [0, 8, 32])
def test_a_full_disk_saves_no_empty_clip(tmp_path: Path, leave_kb: int, capsys: pytest.CaptureFixture[str]) -> None:
    source = noise_video(tmp_path / "noise.mp4", 30)
    with small_disk(tmp_path / "disk", 1024) as disk:
        clips = disk / "clips"
        clips.mkdir()
        cfg = _config(tmp_path, source, clips)
        _fill(disk, leave_kb)
        status = main(["--config", cfg, "record", "--seconds", "0.5", "--pre-roll", "0"])
        err = capsys.readouterr().err
        assert status == 2
        assert "disk full" in err and "nothing was saved" in err and "kept up to its last fragment" not in err
        assert list(iter_clips(clips)) == []
        leftovers = [p.relative_to(clips) for p in clips.rglob("*") if p.is_file()]
        assert leftovers == [], leftovers                        # no 0-frame partial, no half sidecar


def test_record_from_an_odd_sized_source_is_cropped_to_even(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "odd.png"
    cv2.imwrite(str(image), np.full((479, 641, 3), 120, np.uint8))
    cfg = tmp_path / "odd.toml"
    cfg.write_text(f'[camera]\nsource = "{image}"\nrealtime = false\nloop = true\n'
                   f'[storage]\nclips_dir = "{tmp_path / "clips"}"\nmin_free_mb = 0\nlow_free_mb = 0\n')
    assert main(["--config", str(cfg), "record", "--seconds", "0.3", "--pre-roll", "0"]) == 0
    (clip,) = iter_clips(tmp_path / "clips")
    with av.open(str(clip.video)) as c:
        stream = c.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (640, 478)
    assert json.loads(clip.sidecar.read_text())["size"] == [640, 478]
