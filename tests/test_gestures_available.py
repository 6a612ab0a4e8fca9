"""`magicbooth effects` and `magicbooth doctor` say whether hand gestures can run, and whether they are on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from magicbooth.cli import main
from magicbooth.core.config import Config, parse_config
from magicbooth.doctor.hardware import check_gestures
from magicbooth.inference.loader import MODELS_DIR


def test_doctor_says_gestures_are_available_and_whether_the_config_turns_them_on() -> None:
    off = check_gestures(Config())
    assert off.ok and off.detail.startswith("available, off ([booth] gestures = false)")
    assert "palm_detection_lite int8 (1 XNNPACK partition" in off.detail
    on = check_gestures(parse_config("[booth]\ngestures = true\n"))
    assert on.ok and on.detail.startswith("available, on:")


def test_doctor_fails_gestures_on_with_a_damaged_hand_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    (models / "palm_detection_lite_int8.tflite").write_bytes(b"not a model")
    monkeypatch.setattr("magicbooth.inference.loader.MODELS_DIR", models)
    on = check_gestures(parse_config("[booth]\ngestures = true\n"))
    assert on.status == "FAIL" and "does not match the manifest" in on.detail
    assert "build_models.py palm_detection_lite hand_landmark_lite" in on.fix
    assert check_gestures(Config()).status == "warn"       # off: the booth does not need them


def test_effects_lists_whether_gestures_are_available(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["effects"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("gestures: available (off: set [booth] gestures = true)")
    config = tmp_path / "on.toml"
    config.write_text("[booth]\ngestures = true\n", encoding="utf-8")
    assert main(["--config", str(config), "effects"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("gestures: available (on)")
