"""The benchmark's end-to-end run does the booth's hand work when gestures are on, and reports it."""

from __future__ import annotations

from pathlib import Path

import pytest

from magicbooth.bench.endtoend import EndToEnd
from magicbooth.bench.summary import booth_ui_line
from magicbooth.core.config import parse_config


@pytest.mark.parametrize("gestures", [True, False])
def test_end_to_end_measures_the_hand_watcher_in_attract_only_when_gestures_are_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gestures: bool) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    text = (f'[camera]\nsource = "sample"\nsize = [320, 240]\n[storage]\nclips_dir = "{tmp_path}/clips"\n'
            f'[booth]\ngestures = {str(gestures).lower()}\n[display]\nwindow_size = [640, 360]\n')
    record = EndToEnd(parse_config(text), "sample", effect="none", seconds=1.2, warmup_s=0.5).run()
    assert record["status"] == "measured", record
    assert record["gestures"]["on"] is gestures
    hands = record["worker_ms"].get("model worker hands (gestures)")
    if gestures:
        assert hands is not None and hands["median"] > 0     # attract is the first second of the run
        assert "gestures on: hand watcher" in booth_ui_line(record)
    else:
        assert hands is None and "gestures off" in booth_ui_line(record)
