"""The service-side doctor checks: device nodes, GPIO pins, models, Pi thermals and throttling."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from magicbooth.cli import main
from magicbooth.core.config import Config, parse_config
from magicbooth.doctor.hardware import (
    check_devices,
    check_gpio,
    check_models,
    decode_throttled,
    parse_throttled,
    read_temperature,
    thermal_verdict,
)


def test_throttled_bits_decode() -> None:
    # A Pi 4 on a weak supply under load, as 'vcgencmd get_throttled' prints it.
    value = parse_throttled("throttled=0x50005\n")
    assert value == 0x50005
    assert decode_throttled(value) == ["under-voltage now", "throttled now", "under-voltage has occurred",
                                       "throttling has occurred"]
    assert decode_throttled(parse_throttled("throttled=0x0")) == []
    assert decode_throttled(0x80008) == ["soft temperature limit now", "soft temperature limit has occurred"]
    with pytest.raises(ValueError, match="unexpected vcgencmd output"):
        parse_throttled("VCHI initialization failed")


def test_thermal_verdicts() -> None:
    cool = thermal_verdict(48.3, 0)
    assert cool.ok and cool.detail == "48.3 °C; throttled=0x0 (never)"
    earlier = thermal_verdict(50.0, 0x50000)
    assert earlier.status == "warn" and "power supply" in earlier.fix
    assert "under-voltage has occurred" in earlier.detail
    hot_now = thermal_verdict(84.0, 0x4)
    assert hot_now.status == "FAIL" and "heatsink" in hot_now.fix
    unknown = thermal_verdict(None, None, "vcgencmd unavailable")
    assert unknown.status == "warn" and "libraspberrypi-bin" in unknown.fix


def test_temperature_from_sysfs(tmp_path: Path) -> None:
    zone = tmp_path / "temp"
    zone.write_text("48312\n")
    assert read_temperature(zone) == pytest.approx(48.312)
    assert read_temperature(tmp_path / "missing") is None


def test_gpio_pins_claimed_through_gpiozero(mock_pins: Any) -> None:
    ok = check_gpio(Config(), pin_factory=mock_pins)
    assert ok.ok and "GPIO17" in ok.detail and "GPIO27" in ok.detail
    bad = check_gpio(parse_config('[gpio]\nbutton = "GPIO99"\n'), pin_factory=mock_pins)
    assert bad.status == "FAIL" and bad.detail.startswith('[gpio] button = "GPIO99"')
    busy = check_gpio(parse_config('[gpio]\nbutton = "GPIO27"\n'), pin_factory=mock_pins)   # LED on the same pin
    assert busy.status == "FAIL" and "GPIO27" in busy.detail
    none = check_gpio(parse_config('[gpio]\nbutton = ""\nled = []\n'))
    assert none.ok and "no button or LED" in none.detail


def test_device_nodes_open_as_the_service_would(tmp_path: Path) -> None:
    for name in ("video0", "media0", "gpiochip0"):
        (tmp_path / name).write_bytes(b"")
    classes = {"camera": ((str(tmp_path / "video*"), str(tmp_path / "media*")), "camera", os.O_RDWR),
               "gpio": ((str(tmp_path / "gpiochip*"),), "gpio", os.O_RDWR),
               "display": ((str(tmp_path / "card*"),), "display", os.O_RDWR)}
    result = check_devices(Config(), classes)
    assert result.ok and result.detail == "all open: camera 2, gpio 1"
    os.unlink(tmp_path / "gpiochip0")
    os.symlink(tmp_path / "gone", tmp_path / "gpiochip0")    # a node that vanished under us
    broken = check_devices(Config(), classes)
    assert broken.status == "FAIL" and "gpiochip0 ENOENT" in broken.detail and "usermod -aG" in broken.fix
    nothing = check_devices(Config(), {"camera": ((str(tmp_path / "nothing*"),), "camera", os.O_RDWR)})
    assert nothing.status == "warn"


def test_models_check_on_the_shipped_models() -> None:
    result = check_models(Config())
    assert result.ok, result.detail
    assert "sha256 ok" in result.detail and "partition" in result.detail
    from magicbooth.inference.cpu import detect

    assert f"CPU class {detect().name}" in result.detail  # which graphs this CPU gets, and why


def test_doctor_table_lists_the_service_checks(capsys: pytest.CaptureFixture[str]) -> None:
    main(["doctor"])
    out = capsys.readouterr().out
    names = [line.split()[1] for line in out.splitlines() if line[:4].strip() in ("ok", "warn", "FAIL")]
    assert {"devices", "gpio", "models", "thermals"} <= set(names)
    for line in out.splitlines():
        if line.startswith("FAIL"):
            i = out.splitlines().index(line)
            assert "fix:" in out.splitlines()[i + 1]                   # every failure carries its fix


def test_as_service_runs_the_doctor_in_the_units_sandbox(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from magicbooth.service.sandbox import sandbox_properties

    unit = tmp_path / "magicbooth.service"
    unit.write_text("[Unit]\nDescription=x\nStartLimitBurst=5\n[Service]\nType=notify\nUser=magicbooth\n"
                    "SupplementaryGroups=video gpio\nDevicePolicy=closed\nDeviceAllow=char-gpiochip rw\n"
                    "WatchdogSec=20\nTTYPath=/dev/tty1\n[Install]\nWantedBy=multi-user.target\n")
    assert sandbox_properties(unit.read_text()) == ["User=magicbooth", "SupplementaryGroups=video gpio",
                                                    "DevicePolicy=closed", "DeviceAllow=char-gpiochip rw"]
    assert main(["doctor", "--as-service", str(unit), "--print-command"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("systemd-run --wait --pipe --quiet --collect --service-type=exec --property User=magicbooth")
    assert "--property 'DeviceAllow=char-gpiochip rw'" in line and line.endswith(" doctor")
    assert "WatchdogSec" not in line and "TTYPath" not in line


def test_doctor_shows_the_booths_last_failure(tmp_path: Path) -> None:
    from magicbooth.core import incident
    from magicbooth.doctor.checks import check_booth

    config = Config().replace("device", state_dir=str(tmp_path))
    assert check_booth(config).status == "ok"
    try:
        raise OSError(5, "Input/output error on /dev/video0")
    except OSError as exc:
        incident.record(tmp_path, state="recording", reason="camera", exc=exc)
    check = check_booth(config)
    assert check.status == "warn"
    assert "while recording: OSError: [Errno 5] Input/output error on /dev/video0" in check.detail
    assert "'camera' message" in check.detail and "booth-failure.json" in check.fix


def test_doctor_judges_free_space_by_the_storage_policy(tmp_path: Path) -> None:
    """One free-space policy: doctor's disk verdict is the library's level for [storage], no threshold of its own."""
    from magicbooth.doctor.checks import check_disk
    from magicbooth.library.storage import MB, free_bytes, level_for

    free_mb = free_bytes(tmp_path) / MB

    def verdict(min_free_mb: float, low_free_mb: float) -> str:
        cfg = parse_config(f'[device]\nstate_dir = "{tmp_path}"\n'
                           f"[storage]\nmin_free_mb = {min_free_mb}\nlow_free_mb = {low_free_mb}\n")
        assert level_for(free_bytes(tmp_path), cfg.storage) == {"ok": "ok", "warn": "low", "FAIL": "full"}[
            check_disk(cfg).status]
        return check_disk(cfg).status

    assert verdict(0, 0) == "ok"                                 # however little is free: the guard is off
    assert verdict(0, free_mb + 1) == "warn"
    assert verdict(free_mb + 1, free_mb + 2) == "FAIL"
    clips = tmp_path / "elsewhere"                             # same filesystem: one line, no state-dir note
    cfg = parse_config(f'[device]\nstate_dir = "{tmp_path}"\n[storage]\nclips_dir = "{clips}"\n')
    assert str(clips) in check_disk(cfg).detail and "state directory" not in check_disk(cfg).detail


def test_upload_check_inside_a_unit_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """doctor --as-service in a camera unit: no AF_INET by design, so the store is not blamed for it."""
    import errno
    import socket

    from magicbooth.doctor.checks import check_upload

    real = socket.socket

    def restricted(family: int = socket.AF_INET, *args: Any, **kwargs: Any) -> socket.socket:
        if family in (socket.AF_INET, socket.AF_INET6):   # what RestrictAddressFamilies=AF_UNIX AF_NETLINK does
            raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
        return real(family, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", restricted)
    config = parse_config('[upload]\nendpoint = "http://127.0.0.1:9"\nbucket = "clips"\n')
    check = check_upload(config)
    assert check.ok and check.detail.startswith("not checked: this sandbox has no network")
    assert "--as-service /etc/systemd/system/magicbooth-upload.service" in check.detail


def test_headless_unit_blocking_the_booths_devices_is_no_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    """doctor --as-service in the headless unit on a Pi 5: its power button is an input device the unit leaves out."""
    import errno

    import magicbooth.doctor.hardware as hw

    def opened(found: dict[str, list[tuple[str, int]]]) -> None:
        monkeypatch.setattr(hw, "open_devices", lambda classes=hw.DEVICE_CLASSES: found)

    opened({"camera": [("/dev/video0", 0)], "input": [("/dev/input/event0", errno.EPERM)]})
    by_design = check_devices(Config())
    assert by_design.status == "warn" and "/dev/input/event0 blocked (booth only)" in by_design.detail
    opened({"camera": [("/dev/video0", errno.EPERM)], "input": [("/dev/input/event0", errno.EPERM)]})
    camera_blocked = check_devices(Config())
    assert camera_blocked.status == "FAIL" and "/dev/video0 blocked" in camera_blocked.detail
    assert "DeviceAllow=" in camera_blocked.fix
