"""The systemd units: systemd-analyze verify and security, the sandbox directives, and install-service.

tools/sandbox_check.sh runs the units for real under systemd 252 in a container; these tests keep the
directives it proved from drifting, and check the exposure score wherever systemd-analyze is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from magicbooth.cli import main
from magicbooth.commands.install_service import UNIT_DIR, UNITS, UPLOAD_UNIT, executable, render_unit
from magicbooth.core.config import Config, parse_config
from magicbooth.service.sandbox import SANDBOX_KEYS, SERVICE_ONLY_KEYS, sandbox_properties

ALL_UNITS = (*UNITS.values(), UPLOAD_UNIT)
MAX_EXPOSURE = 2.5   # issue 15: every unit at most 2.5 with systemd 252's 'systemd-analyze security'


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
    if name in UNITS.values():
        assert "PrivateDevices" not in service, "PrivateDevices=yes hides the camera"


@pytest.mark.parametrize("name", UNITS.values())
def test_camera_units_notify_and_reach_their_devices(name: str) -> None:
    unit = sections((UNIT_DIR / name).read_text())
    service = dict(unit["Service"])
    assert service["Type"] == "notify" and int(service["WatchdogSec"]) > 0
    assert set(service["SupplementaryGroups"].split()) == {"video", "render", "gpio", "input", "audio"}
    allowed = {v.split()[0] for v in values(unit, "Service", "DeviceAllow")}
    assert {"char-video4linux", "char-media", "char-dma_heap", "char-gpiochip", "char-alsa",
            "/dev/vchiq", "/dev/vcio"} <= allowed


@pytest.mark.parametrize("name", ALL_UNITS)
def test_hardening_directives(name: str) -> None:
    unit = sections((UNIT_DIR / name).read_text())
    service = dict(unit["Service"])
    expected = {"UMask": "0027", "CapabilityBoundingSet": "", "NoNewPrivileges": "yes", "PrivateUsers": "yes",
                "PrivateMounts": "yes", "SystemCallArchitectures": "native", "SystemCallErrorNumber": "EPERM",
                "RestrictNamespaces": "yes", "RestrictRealtime": "yes", "RestrictSUIDSGID": "yes",
                "LockPersonality": "yes", "ProtectKernelTunables": "yes",
                "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
                "ProtectClock": "yes", "ProtectHostname": "yes", "ProtectProc": "invisible"}
    assert {key: service.get(key) for key in expected} == expected
    assert values(unit, "Service", "SystemCallFilter") == ["@system-service", "~@privileged @resources"]
    # XNNPACK has no JIT; Mesa's llvmpipe (the booth's GL without a GPU driver) has, and MDWE kills it.
    assert service.get("MemoryDenyWriteExecute") == (None if name == UNITS["booth"] else "yes")
    # The three units share one user: RemoveIPC= in one would delete the others' IPC objects (ALSA dsnoop).
    assert "RemoveIPC" not in service


@pytest.mark.parametrize("name", UNITS.values())
def test_camera_units_have_no_network(name: str) -> None:
    service = dict(sections((UNIT_DIR / name).read_text())["Service"])
    assert service["PrivateNetwork"] == "yes" and service["IPAddressDeny"] == "any"
    # AF_UNIX: sd_notify and D-Bus (logind, for the shutdown button); AF_NETLINK: libcamera's and SDL's udev monitors.
    assert service["RestrictAddressFamilies"].split() == ["AF_UNIX", "AF_NETLINK"]
    # XNNPACK's cpuinfo parses /proc/cpuinfo; ProcSubset=pid hides it and every model runs on reference kernels.
    assert "ProcSubset" not in service


def test_uploader_gets_the_network_and_nothing_else() -> None:
    unit = sections((UNIT_DIR / UPLOAD_UNIT).read_text())
    service = dict(unit["Service"])
    assert service["PrivateDevices"] == "yes" and service["DevicePolicy"] == "closed"
    assert not values(unit, "Service", "DeviceAllow") and "SupplementaryGroups" not in service
    assert service["RestrictAddressFamilies"].split() == ["AF_UNIX", "AF_INET", "AF_INET6"]
    assert service["ProcSubset"] == "pid"
    assert "PrivateNetwork" not in service


def test_uploader_loads_the_keys_as_a_systemd_credential() -> None:
    unit = sections((UNIT_DIR / UPLOAD_UNIT).read_text())
    assert values(unit, "Service", "LoadCredential") == ["s3.toml:/etc/magicbooth/s3.toml"]
    # The fallback while the file does not exist yet: one newline, which the credentials reader counts as none.
    assert values(unit, "Service", "SetCredential") == ["s3.toml:\\n"]
    text = render_unit(UPLOAD_UNIT, exe=Path("/opt/x/magicbooth"), user="magicbooth", groups=[],
                       credentials="/srv/keys/booth.toml")
    assert values(sections(text), "Service", "LoadCredential") == ["s3.toml:/srv/keys/booth.toml"]


@pytest.mark.parametrize("name", ALL_UNITS)
def test_doctor_as_service_carries_every_sandbox_setting(name: str) -> None:
    """Every [Service] key either shapes the sandbox (and goes to systemd-run) or belongs to the running service."""
    unit = sections((UNIT_DIR / name).read_text())
    keys = {key for key, _ in unit["Service"]}
    assert keys <= set(SANDBOX_KEYS) | set(SERVICE_ONLY_KEYS), keys - set(SANDBOX_KEYS) - set(SERVICE_ONLY_KEYS)
    props = sandbox_properties((UNIT_DIR / name).read_text())
    assert "SystemCallFilter=~@privileged @resources" in props and "CapabilityBoundingSet=" in props


def _analyze_version(analyze: str) -> int:
    out = subprocess.run([analyze, "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.match(r"systemd (\d+)", out)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("name", ALL_UNITS)
def test_exposure_score(name: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (apt-get install systemd): exposure score NOT checked")
    version = _analyze_version(analyze)
    if version < 250:
        pytest.skip(f"systemd-analyze {version} has no --offline (250 and later): exposure score NOT checked")
    path = tmp_path / name
    path.write_text(render_unit(name, exe=Path("/opt/magicbooth/.venv/bin/magicbooth"), user="magicbooth",
                                groups=["video", "render", "gpio", "input", "audio"]))
    result = subprocess.run([analyze, "security", "--offline=true", "--no-pager", str(path)],
                            capture_output=True, text=True, timeout=60)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    # The score is systemd's own weighting, which later releases change: the target is stated for 252.
    print(f"{name}: exposure {match.group(1)} (systemd-analyze {version})")
    assert float(match.group(1)) <= MAX_EXPOSURE, result.stdout


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


def test_install_service_makes_the_keys_roots_alone(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = tmp_path / "etc/magicbooth/s3.toml"
    keys.parent.mkdir(parents=True)
    keys.write_text('access_key_id = "AKID"\nsecret_access_key = "s3cr3t"\n')
    keys.chmod(0o644)
    assert main(["install-service", "--mode", "headless", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "# skipped with --root: chown root:root /etc/magicbooth/s3.toml" in out
    assert "chmod 600 /etc/magicbooth/s3.toml" in out.splitlines()
    assert keys.stat().st_mode & 0o777 == 0o600
    unit = (tmp_path / "etc/systemd/system" / UPLOAD_UNIT).read_text()
    assert "LoadCredential=s3.toml:/etc/magicbooth/s3.toml" in unit.splitlines()
    assert "s3cr3t" not in out


def test_install_service_says_how_to_add_the_keys_later(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["install-service", "--mode", "booth", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("# /etc/magicbooth/s3.toml does not exist yet; when uploads are set up, create it as root, readable by "
            "root alone (install -m 600 -o root -g root /dev/stdin /etc/magicbooth/s3.toml") in out
    assert "then: systemctl restart magicbooth-upload.service" in out
    assert not (tmp_path / "etc/magicbooth/s3.toml").exists()


def test_install_service_refuses_a_relative_keys_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[upload]\ncredentials_file = "keys/s3.toml"\n')
    assert parse_config(config.read_text()).upload.credentials_file == "keys/s3.toml"
    assert main(["--config", str(config), "install-service", "--root", str(tmp_path / "root")]) == 2
    err = capsys.readouterr().err
    assert "credentials_file = 'keys/s3.toml': systemd's LoadCredential= needs an absolute path" in err
    assert not (tmp_path / "root/etc/systemd/system").exists()


def _groups_here() -> list[str]:
    from magicbooth.commands.install_service import existing_groups

    return existing_groups()[0]
