"""``run_mode`` end to end, headless: the bundled sample as camera, the real recorder, mock GPIO, sd_notify."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from _modes_support import PressThenTerm, Systemd

from magicbooth.core.config import load_config
from magicbooth.modes.config_error import EXIT_RELOAD
from magicbooth.modes.launch import run_mode
from magicbooth.service.notify import Notifier
from magicbooth.upload.queue import UploadQueue


def test_headless_run_records_a_clip_from_the_sample(tmp_path: Path, mock_pins: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    config = tmp_path / "magicbooth.toml"
    config.write_text(f'[camera]\nsource = "sample"\nsize = [320, 240]\n[storage]\nclips_dir = "{tmp_path}/clips"\n'
                      "[recorder]\npre_roll_s = 0.5\n[gpio]\nbounce_s = 0.0\n"
                      '[upload]\nendpoint = "http://127.0.0.1:9"\nbucket = "clips"\n')
    systemd = Systemd(tmp_path)
    actor = PressThenTerm(mock_pins, (1.0, 1.5, 1.5))
    try:
        status = run_mode(str(config), "headless", notifier=systemd.notifier(), shutdown=lambda: None)
    finally:
        actor.finished()
        systemd.close()
    assert status == 0
    assert systemd.messages[0].startswith("READY=1")
    assert "WATCHDOG=1" in systemd.messages and systemd.messages[-1].startswith("STOPPING=1")
    clips = list((tmp_path / "clips").glob("*/*.mp4"))
    assert len(clips) == 1 and clips[0].with_suffix(".json").is_file()
    assert (tmp_path / "state" / "last-good-config.toml").read_text() == config.read_text()
    # The clip is queued in the upload database that magicbooth-upload.service drains.
    queue = UploadQueue(load_config(config))
    try:
        assert queue.status().queued == 1
    finally:
        queue.close()


def test_bad_config_waits_for_a_fix_instead_of_exiting(tmp_path: Path, mock_pins: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    config = tmp_path / "magicbooth.toml"
    config.write_text("[camera]\nsource = 'sample'\nfps = 0\n")
    systemd = Systemd(tmp_path)

    def fix() -> None:
        time.sleep(0.8)
        config.write_text("[camera]\nsource = 'sample'\nfps = 15\n")
    fixer = threading.Thread(target=fix)
    fixer.start()
    led = mock_pins.pin("GPIO27")
    try:
        status = run_mode(str(config), "headless", notifier=systemd.notifier())
    finally:
        fixer.join()
        systemd.close()
    assert status == EXIT_RELOAD
    assert systemd.messages[0].startswith("READY=1\nSTATUS=config error:") and "fps = 0" in systemd.messages[0]
    assert len(led.states) > 3                                          # the LED flashed the error pattern


def test_headless_records_with_the_configured_effect(tmp_path: Path, mock_pins: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    config = tmp_path / "magicbooth.toml"
    config.write_text(f'[camera]\nsource = "sample"\nsize = [320, 240]\n[storage]\nclips_dir = "{tmp_path}/clips"\n'
                      '[headless]\neffect = "cartoon"\n[effects]\nwatermark = ""\n[gpio]\nbounce_s = 0.0\n')
    actor = PressThenTerm(mock_pins, (1.0, 1.0, 1.0))
    try:
        status = run_mode(str(config), "headless", notifier=Notifier({}), shutdown=lambda: None)
    finally:
        actor.finished()
    assert status == 0
    clip = next((tmp_path / "clips").glob("*/*.mp4"))
    meta = json.loads(clip.with_suffix(".json").read_text())
    assert meta["frames"] > 10 and meta["effect"] == "cartoon"
