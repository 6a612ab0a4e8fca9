"""Outputs named by the user never destroy anything: ``render`` refuses to write over its own input (also
through a symlink or a hard link), and every output (render, analyze --out, bench reports) is written
under a temporary name and renamed into place only when complete."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import write_clip

from magicbooth.cli import main
from magicbooth.commands import bench
from magicbooth.core.errors import OutputError, RecorderError
from magicbooth.recording import export


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "x.mp4", 12)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("how", ["same name", "symlink", "hard link", "relative path"])
def test_render_refuses_to_write_over_its_input(video: Path, how: str, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    before = video.read_bytes()
    out = video
    if how == "symlink":
        out = video.with_name("y.mp4")
        out.symlink_to(video.name)
    elif how == "hard link":
        out = video.with_name("y.mp4")
        os.link(video, out)
    elif how == "relative path":
        monkeypatch.chdir(video.parent)
        out = Path("sub/../x.mp4")
        (video.parent / "sub").mkdir()
    assert main(["render", str(video), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "same file as the input" in err and str(out) in err
    assert video.read_bytes() == before


def test_render_of_an_image_onto_itself_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "a.png"
    cv2.imwrite(str(image), np.full((32, 32, 3), 90, np.uint8))
    before = image.read_bytes()
    assert main(["render", str(image), str(image)]) == 2
    assert "same file as the input" in capsys.readouterr().err
    assert image.read_bytes() == before


def test_render_into_a_missing_folder_names_the_path(video: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = "/nonexistent/dir/o.mp4"
    assert main(["render", str(video), out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and out in err and "/nonexistent/dir" in err and "does not exist" in err


def test_render_onto_a_folder_says_so(video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out.mp4"
    folder.mkdir()
    assert main(["render", str(video), str(folder)]) == 2
    assert f"{folder}: is a folder" in capsys.readouterr().err


def test_render_into_a_read_only_place_names_the_path(video: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a read-only tmpfs here (not root); the missing-folder case still runs")
    try:
        out = ro / "o.mp4"
        assert main(["render", str(video), str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(out) in err and "read-only" in err.lower()
    finally:
        subprocess.run(["umount", "-l", str(ro)], check=False)


def test_a_render_that_fails_midway_leaves_the_old_output_and_no_temporary(
        video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o.mp4"
    out.write_bytes(b"the previous render")
    real = export.H264Writer.write

    def failing(self: export.H264Writer, image: np.ndarray) -> None:
        assert self.path != out, "frames must go to a temporary file, not the output"
        if self.count == 5:
            raise RecorderError(f"{self.path}: disk full (simulated)")
        real(self, image)

    monkeypatch.setattr(export.H264Writer, "write", failing)
    assert main(["render", str(video), str(out)]) == 2
    assert out.read_bytes() == b"the previous render"
    assert _leftovers(tmp_path) == []


def test_a_render_interrupted_leaves_no_temporary(video: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o.mp4"

    def interrupted(self: export.H264Writer, image: np.ndarray) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(export.H264Writer, "write", interrupted)
    assert main(["render", str(video), str(out)]) == 130
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_complete_render_replaces_the_output_and_leaves_no_temporary(video: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    out.write_bytes(b"old")
    assert main(["render", str(video), str(out)]) == 0
    assert out.read_bytes()[4:8] == b"ftyp" and _leftovers(tmp_path) == []


def test_an_image_render_is_written_whole(tmp_path: Path) -> None:
    image = tmp_path / "in.png"
    cv2.imwrite(str(image), np.full((32, 48, 3), 90, np.uint8))
    assert main(["render", str(image), str(tmp_path / "out.jpg")]) == 0
    assert cv2.imread(str(tmp_path / "out.jpg")).shape == (32, 48, 3)
    assert _leftovers(tmp_path) == []


def test_analyze_refuses_to_annotate_over_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "face.png"
    cv2.imwrite(str(image), np.full((64, 64, 3), 90, np.uint8))
    before = image.read_bytes()
    assert main(["analyze", str(image), "--out", str(image)]) == 2
    assert "same file as the input" in capsys.readouterr().err
    assert image.read_bytes() == before


def test_pending_file_commits_only_on_success(tmp_path: Path) -> None:
    from magicbooth.core.outputs import PendingFile

    target = tmp_path / "report.json"
    with PendingFile(target) as pending:
        pending.temp.write_text("{}")
        assert not target.exists()
    assert target.read_text() == "{}" and _leftovers(tmp_path) == []
    with pytest.raises(ValueError), PendingFile(target) as pending:
        pending.temp.write_text("half")
        raise ValueError("boom")
    assert target.read_text() == "{}" and _leftovers(tmp_path) == []


def test_bench_reports_are_checked_before_the_run_and_written_whole(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        bench.check_report_paths(str(tmp_path / "no" / "r.json"), None)
    with pytest.raises(OutputError, match="is a folder"):
        bench.check_report_paths(None, str(tmp_path))
    target = tmp_path / "r.html"
    bench.write_report(str(target), "<html></html>")
    assert target.read_text() == "<html></html>" and _leftovers(tmp_path) == []
