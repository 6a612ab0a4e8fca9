"""The console script: clean exits on signals, one-line errors with status 2."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ENV = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONUNBUFFERED": "1"}


def magicbooth(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "magicbooth.cli", *args], capture_output=True, text=True,
                          timeout=60, env=ENV, cwd=cwd)


def _read_until(proc: subprocess.Popen[str], done: Callable[[str], bool], timeout_s: float) -> list[str]:
    """The child's stderr lines up to the first that ``done`` accepts (or until ``timeout_s``)."""
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        lines.append(proc.stderr.readline())
        if done(lines[-1]):
            break
    return lines


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_run_sample_headless_stops_cleanly_on_signal(sig: signal.Signals, tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "magicbooth.cli", "run", "--mode", "preview", "--source", "sample",
                             "--display", "none"],
                            stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp_path)
    lines = _read_until(proc, lambda line: "live mode" in line, 30)
    time.sleep(2.0)
    proc.send_signal(sig)
    rest = proc.communicate(timeout=20)[1]
    log = "".join(lines) + rest
    assert proc.returncode == 0, log
    assert f"received {sig.name}, stopping" in log
    assert "Traceback" not in log
    frames = int(re.search(r"pipeline: (\d+) frames", log).group(1))
    assert frames >= 30  # about two seconds of the 30 fps sample


def test_run_with_seconds_ends_by_itself(tmp_path: Path) -> None:
    result = magicbooth("run", "--mode", "preview", "--source", "sample", "--display", "none", "--seconds", "1",
                        cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "pipeline:" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["run", "--source", "no/such/file.mp4", "--display", "none"], "no such file or camera"),
    (["run", "--source", "webcam:x", "--display", "none"], "webcam:N"),
    (["--config", "missing.toml", "run"], "config file not found"),
])
def test_bad_input_is_one_line_and_status_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = magicbooth(*args, cwd=tmp_path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_preview_options_need_preview_mode(tmp_path: Path) -> None:
    result = magicbooth("run", "--seconds", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert "--seconds only apply to --mode preview" in result.stderr


def test_plain_run_is_headless_without_a_display_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k not in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.Popen([sys.executable, "-m", "magicbooth.cli", "run"], stderr=subprocess.PIPE, text=True,
                            env=env, cwd=tmp_path)
    lines = _read_until(proc, lambda line: "send SIGUSR1" in line or "record button" in line or not line, 60)
    proc.send_signal(signal.SIGTERM)
    log = "".join(lines) + proc.communicate(timeout=30)[1]
    assert proc.returncode == 0, log
    assert "using the bundled sample clip" in log and "display: none" in log
    assert "Traceback" not in log


def test_verbose_shows_the_traceback(tmp_path: Path) -> None:
    result = magicbooth("--verbose", "run", "--source", "no/such/file.mp4", "--display", "none", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" in result.stderr


def test_bad_config_value_fails_at_startup(tmp_path: Path) -> None:
    (tmp_path / "magicbooth.toml").write_text("[display]\nmode = 3\n")
    result = magicbooth("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "magicbooth.toml: [display] mode = 3: expected a string" in result.stderr


def test_doctor_prints_a_table() -> None:
    result = magicbooth("doctor")
    assert result.returncode in (0, 1)
    for name in ("platform", "runtime", "camera", "display", "disk"):
        assert name in result.stdout
