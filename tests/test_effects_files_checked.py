"""The effects' ``file=`` option goes through the same checked readers as every other user file
(``core.media``): an image bomb or a file without a video stream is one clear ``EffectError``."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_media_checked import MUSIC, png_bomb

from magicbooth.cli import main


def test_background_file_image_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = png_bomb(tmp_path / "bomb.png", 9000, 9000)
    source = tmp_path / "in.png"
    png_bomb(source, 64, 48)
    assert main(["render", str(source), str(tmp_path / "o.png"), "--effect", "background",
                 "--option", "mode=image", "--option", f"file={bomb}"]) == 2
    assert "9000x9000 pixels" in capsys.readouterr().err


def test_background_video_without_a_video_stream_says_so(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    audio = tmp_path / "zero.mp4"
    audio.write_bytes(MUSIC.read_bytes())
    source = tmp_path / "in.png"
    png_bomb(source, 64, 48)
    assert main(["render", str(source), str(tmp_path / "o.png"), "--effect", "background",
                 "--option", "mode=video", "--option", f"file={audio}"]) == 2
    err = capsys.readouterr().err
    assert "zero.mp4: has no video stream" in err and "IndexError" not in err and "Traceback" not in err
