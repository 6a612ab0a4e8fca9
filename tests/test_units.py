"""The systemd units: systemd-analyze verify, their sandboxing (ProtectSystem=strict, DeviceAllow), install-service."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from magicbooth.cli import main
from magicbooth.commands.install_service import UNIT_DIR, UNITS, UPLOAD_UNIT, executable, render_unit
from magicbooth.core.config import Config

ALL_UNITS = (*UNITS.values(), UPLOAD_UNIT)


def sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """Unit file -> {section: [(key, value), ...]} keeping repeated keys (DeviceAllow=)."""
    out: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            out.setdefault(current, [])
            continue
        key, _, value = line.partition("=")
        out[current].append((key, value))
    return out


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


@pytest.mark.parametrize("name", ALL_UNITS)
def test_systemd_analyze_verify(name: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("SKIPPED: systemd-analyze is not installed here (apt-get install systemd); unit files NOT verified")
        pytest.skip("systemd-analyze not installed (apt-get install systemd): unit files not verified")
    for unit in ALL_UNITS:   # verify follows Wants=/Conflicts= to the sibling units
        (tmp_path / unit).write_text(render_unit(unit, exe=executable(), user="magicbooth", groups=["video"]))
    result = subprocess.run([analyze, "verify", str(tmp_path / name)], capture_output=True, text=True,
                            timeout=60)
    # verify exits 0 on unknown keys (e.g. RestartSteps= on 252) but prints them: any output fails the test.
    noise = [line for line in (result.stdout + result.stderr).splitlines() if name in line or "Unknown" in line]
    assert result.returncode == 0 and not noise, result.stdout + result.stderr


@pytest.mark.parametrize("name", ALL_UNITS)
def test_restart_policy_fits_systemd_252(name: str) -> None:
    unit = sections((UNIT_DIR / name).read_text())
    assert "RestartSteps" not in dict(unit["Service"]), "systemd 252 has no RestartSteps="
    for key in ("StartLimitIntervalSec", "StartLimitBurst"):
        assert values(unit, "Unit", key), f"{key}= belongs in [Unit]"
        assert not values(unit, "Service", key)
    assert values(unit, "Service", "Restart") == ["on-failure"]


@pytest.mark.parametrize("name", ALL_UNITS)
def test_isolation(name: str) -> None:
    unit = sections((UNIT_DIR / name).read_text())
    service = dict(unit["Service"])
    assert service["ProtectSystem"] == "strict" and service["ProtectHome"] == "yes"
    assert service["PrivateTmp"] == "yes" and service["NoNewPrivileges"] == "yes"
    assert service["StateDirectory"] == "magicbooth" and service["User"] == "magicbooth"
    assert service["DevicePolicy"] == "closed"
    assert "PrivateDevices" not in service, "PrivateDevices=yes hides the camera"


@pytest.mark.parametrize("name", UNITS.values())
def test_camera_units_notify_and_reach_their_devices(name: str) -> None:
    unit = sections((UNIT_DIR / name).read_text())
    service = dict(unit["Service"])
    assert service["Type"] == "notify" and int(service["WatchdogSec"]) > 0
    assert set(service["SupplementaryGroups"].split()) == {"video", "render", "gpio", "input"}
    allowed = {v.split()[0] for v in values(unit, "Service", "DeviceAllow")}
    assert {"char-video4linux", "char-media", "char-dma_heap", "char-gpiochip"} <= allowed


def test_booth_owns_the_console_and_gives_it_back() -> None:
    unit = sections((UNIT_DIR / UNITS["booth"]).read_text())
    service = dict(unit["Service"])
    assert service["TTYPath"] == "/dev/tty1" and service["TTYReset"] == "yes" and service["TTYVHangup"] == "yes"
    assert "SDL_VIDEODRIVER=kmsdrm" in values(unit, "Service", "Environment")
    assert values(unit, "Unit", "Conflicts") == ["getty@tty1.service"]
    assert values(unit, "Unit", "OnFailure") == ["getty@tty1.service"]
    allowed = {v.split()[0] for v in values(unit, "Service", "DeviceAllow")}
    assert {"char-drm", "char-input", "/dev/tty1"} <= allowed


def test_render_adapts_to_the_machine() -> None:
    text = render_unit(UNITS["booth"], exe=Path("/home/pi/magicbooth/.venv/bin/magicbooth"), user="booth",
                       groups=["video", "input"])
    unit = sections(text)
    service = dict(unit["Service"])
    assert service["ExecStart"] == "/home/pi/magicbooth/.venv/bin/magicbooth run --mode booth"
    assert service["ProtectHome"] == "read-only"       # the venv in /home must stay readable
    assert service["SupplementaryGroups"] == "video input"
    assert service["User"] == service["Group"] == "booth"
    bare = sections(render_unit(UPLOAD_UNIT, exe=Path("/opt/x/magicbooth"), user="magicbooth", groups=[]))
    assert dict(bare["Service"])["ProtectHome"] == "yes"


def test_install_service_dry_run_prints_every_action(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["install-service", "--mode", "headless", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# magicbooth install-service --mode headless:")
    commands = [line for line in out.splitlines() if re.match(r"^(\[ -e |install |systemctl |useradd |usermod )", line)]
    joined = "\n".join(commands)
    assert "install -d -m 755 /etc/magicbooth" in joined
    assert "[ -e /etc/magicbooth/config.toml ] || install -m 644 /dev/stdin /etc/magicbooth/config.toml" in joined
    assert "install -d -m 750 -o magicbooth -g magicbooth /var/lib/magicbooth" in joined
    assert "install -m 644 /dev/stdin /etc/systemd/system/magicbooth-headless.service <<'EOF'" in joined
    assert "install -m 644 /dev/stdin /etc/systemd/system/magicbooth-upload.service <<'EOF'" in joined
    assert commands[-3:] == ["systemctl daemon-reload", "systemctl disable --now magicbooth.service",
                             "systemctl enable magicbooth-headless.service magicbooth-upload.service"]
    assert f"ExecStart={executable()} run --mode headless" in out
    # Nothing was done.
    assert not (tmp_path / "etc").exists()


def test_install_service_booth_frees_tty1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-service", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "systemctl disable getty@tty1.service" in out
    assert "systemctl enable magicbooth.service magicbooth-upload.service" in out


def test_install_service_into_a_root_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "etc/magicbooth").mkdir(parents=True)
    (tmp_path / "etc/magicbooth/config.toml").write_text("[booth]\ncountdown_s = 5\n")
    assert main(["install-service", "--mode", "booth", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "# skipped with --root: systemctl enable magicbooth.service magicbooth-upload.service" in out
    unit = tmp_path / "etc/systemd/system/magicbooth.service"
    assert unit.read_text() == render_unit("magicbooth.service", exe=executable(), user=Config().service.user,
                                           groups=_groups_here())
    assert (tmp_path / "etc/systemd/system/magicbooth-upload.service").is_file()
    assert (tmp_path / "etc/magicbooth/config.toml").read_text() == "[booth]\ncountdown_s = 5\n"  # kept
    assert (tmp_path / "var/lib/magicbooth").is_dir()


def _groups_here() -> list[str]:
    from magicbooth.commands.install_service import existing_groups

    return existing_groups()[0]
