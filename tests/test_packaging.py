"""The wheel installs one import name, ``magicbooth``, with the models, units and assets inside it.

A non-editable install must run from anywhere: the wheel is built, unpacked into a
folder of its own and run from /tmp, with the dependencies importable but without
this checkout or its editable-install finder in sight.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import cv2
import pytest

from tests.perception_helpers import astronaut

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (built,) = out.glob("magicbooth-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked as pip would install it (no dependencies, no editable finder)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    return target


def run_installed(installed: Path, *args: str, timeout: float = 120, **kwargs: object) -> subprocess.Popen[str]:
    """``python -S``: no site processing, so only the unpacked wheel and the dependencies are importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), sysconfig.get_paths()["purelib"]]),
           "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop("MAGICBOOTH_CONFIG", None)
    return subprocess.Popen([sys.executable, "-S", *args], cwd=kwargs.pop("cwd", "/tmp"), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)  # type: ignore[call-overload]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    """A new subpackage that is not in [tool.setuptools] packages would be missing from the wheel."""
    mapped = {name: ROOT / folder for name, folder in SETUPTOOLS["package-dir"].items()}
    found = set()
    for name, folder in mapped.items():
        for init in folder.rglob("__init__.py"):
            rel = init.parent.relative_to(folder)
            found.add(".".join([name, *rel.parts]))
    data = {"magicbooth.assets", "magicbooth.effects.assets"}
    assert set(SETUPTOOLS["packages"]) - data == found


def test_wheel_has_one_top_level_name_and_carries_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"magicbooth"}
    for needed in ("magicbooth/cli.py", "magicbooth/effects/base.py", "magicbooth/models_tflite/manifest.toml",
                   "magicbooth/models_tflite/face_detection_short_range_int8.tflite",
                   "magicbooth/systemd/magicbooth.service", "magicbooth/systemd/magicbooth-upload.service",
                   "magicbooth/assets/sample.mp4", "magicbooth/assets/booth_theme.m4a",
                   "magicbooth/bench/report.schema.json", "magicbooth/effects/assets/kaiju_sheet.jpg"):
        assert needed in names, needed
    assert not any(n.startswith(("device/", "effects/", "tests/", "tools/")) for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "magicbooth = magicbooth.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_installed_wheel_runs_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    probe = run_installed(installed, "-c", "import magicbooth, sys; print(magicbooth.__file__); import device")
    out, err = probe.communicate(timeout=60)
    assert out.strip().startswith(str(installed)) and "No module named 'device'" in err

    photo = tmp_path / "face.png"
    cv2.imwrite(str(photo), cv2.cvtColor(astronaut(), cv2.COLOR_RGB2BGR))
    analyze = run_installed(installed, "-m", "magicbooth.cli", "analyze", str(photo), "--json")
    out, err = analyze.communicate(timeout=120)
    assert analyze.returncode == 0, err
    assert len(json.loads(out)["faces"]) == 1

    (tmp_path / "state").mkdir()
    run = run_installed(installed, "-m", "magicbooth.cli", "run", "--source", "sample", "--display", "none",
                        cwd=str(tmp_path))
    time.sleep(8)   # models load, the sample plays, the headless loop runs
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert "headless" in err and "source: file" in err and "Traceback" not in err
