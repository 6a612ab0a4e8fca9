"""``magicbooth analyze``: exact JSON schema, annotated output, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from magicbooth.cli import main
from magicbooth.core.scene import KEYPOINT_NAMES
from tests.perception_helpers import astronaut


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(astronaut(), cv2.COLOR_RGB2BGR))
    return path


def _pair(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value)


def test_json_schema(photo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(photo), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["width", "height", "faces", "person_coverage", "timings_ms"]
    assert (result["width"], result["height"]) == (512, 512)
    assert len(result["faces"]) == 1
    face = result["faces"][0]
    assert list(face) == ["box", "score", "keypoints", "landmarks"]
    assert len(face["box"]) == 4 and all(isinstance(v, (int, float)) for v in face["box"])
    assert 0.5 <= face["score"] <= 1.0
    assert list(face["keypoints"]) == list(KEYPOINT_NAMES) and all(map(_pair, face["keypoints"].values()))
    assert len(face["landmarks"]) == 468 and all(map(_pair, face["landmarks"]))
    x, y, w, h = face["box"]
    assert 150 < x + w / 2 < 300 and 60 < y + h / 2 < 200  # the astronaut's face, in input pixels
    assert 0.3 < result["person_coverage"] < 0.8
    assert list(result["timings_ms"]) == ["detect", "landmarks", "segment"]
    assert all(v >= 0 for v in result["timings_ms"].values())


def test_annotated_output(photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "annotated.png"
    assert main(["analyze", str(photo), "--out", str(out)]) == 0
    assert "1 face(s)" in capsys.readouterr().out
    drawn = cv2.imread(str(out))
    assert drawn.shape == (512, 512, 3)
    assert np.mean(np.any(drawn != cv2.imread(str(photo)), axis=2)) > 0.01


@pytest.mark.parametrize("content", [None, b"not an image"])
def test_bad_image_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      content: bytes | None) -> None:
    path = tmp_path / "face.png"
    if content is not None:
        path.write_bytes(content)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "Traceback" not in err[0]


def test_bad_output_path_fails_first(photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for out in (tmp_path / "missing" / "a.png", tmp_path / "a.gif"):
        assert main(["analyze", str(photo), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(out) in err[0]


def test_mask_output_is_the_alpha_effects_get(photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "alpha.png"
    assert main(["analyze", str(photo), "--mask", str(out)]) == 0
    alpha = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    source = cv2.imread(str(photo))
    assert alpha.dtype == np.uint8 and alpha.shape == source.shape[:2]
    result = json.loads(main_json(photo, capsys))
    assert abs(alpha.mean() / 255 - result["person_coverage"]) < 0.005
    assert alpha[130, 250] == 255 and alpha[10, 500] == 0        # face, wall
    soft = ((alpha > 12) & (alpha < 243)).mean()
    assert 0 < soft < 0.05                                        # a soft edge, a few pixels wide
    assert main(["analyze", str(photo), "--mask", str(tmp_path / "alpha.jpg")]) == 2  # lossy: refused
    assert "--mask must end in .png" in capsys.readouterr().err


def main_json(photo: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["analyze", str(photo), "--json"]) == 0
    return capsys.readouterr().out
