"""``run_mode`` end to end as a booth: dummy SDL window, the bundled sample, GPIO presses, sd_notify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _modes_support import PressThenTerm, Systemd

from magicbooth.modes.launch import run_mode


def test_booth_run_records_and_keeps_a_clip(tmp_path: Path, mock_pins: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    config = tmp_path / "magicbooth.toml"
    config.write_text(f'[camera]\nsource = "sample"\nsize = [320, 240]\n[storage]\nclips_dir = "{tmp_path}/clips"\n'
                      "[display]\nmode = \"window\"\n[booth]\ncountdown_s = 0\nreview = false\n"
                      "[gpio]\nbounce_s = 0.0\n")
    systemd = Systemd(tmp_path)
    actor = PressThenTerm(mock_pins, (1.0, 1.5, 1.5))      # press: record; press: stop; then SIGTERM
    try:
        status = run_mode(str(config), "booth", notifier=systemd.notifier())
    finally:
        actor.finished()
        systemd.close()
    assert status == 0
    assert systemd.messages[0].startswith("READY=1")
    statuses = [m for m in systemd.messages if m.startswith("STATUS=booth:")]
    assert statuses[:3] == ["STATUS=booth: countdown", "STATUS=booth: recording", "STATUS=booth: review"]
    assert "WATCHDOG=1" in systemd.messages and systemd.messages[-1].startswith("STOPPING=1")
    clips = list((tmp_path / "clips").glob("*/*.mp4"))
    assert len(clips) == 1
    assert json.loads(clips[0].with_suffix(".json").read_text())["effect"] == "sticker"   # [effects] default
