"""The lock files in tools/lock/: complete, hashed, consistent with pyproject.toml, and what the venv holds."""

from __future__ import annotations

import re
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from magicbooth.inference.loader import MODELS_DIR

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "tools" / "lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PI_LOCKS = {"pi-py311": ("3.11", "1.24.2"), "pi-py313": ("3.13", "2.2.4")}  # Bookworm, Trixie: apt's numpy
# manifest.toml [build] key -> the package whose version decides the model bytes
BUILD_PACKAGES = {"ai_edge_litert": "ai-edge-litert", "numpy": "numpy", "opencv": "opencv-python-headless",
                  "scikit_image": "scikit-image", "matplotlib": "matplotlib"}


def _pins(path: Path) -> list[tuple[str, str, Marker | None, int]]:
    """(name, version, marker, number of hashes) per requirement of a lock file."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    pins = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        spec = line.partition(" --hash")[0]
        requirement = Requirement(spec.strip())
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{path.name}: {line.split()[0]} is not pinned with =="
        hashes = len(re.findall(r"--hash=sha256:[0-9a-f]{64}", line))
        pins.append((canonicalize_name(requirement.name), specifier.version, requirement.marker, hashes))
    return pins


def _versions(path: Path, environment: dict[str, str] | None = None) -> dict[str, str]:
    return {name: version for name, version, marker, _ in _pins(path)
            if marker is None or marker.evaluate(environment)}


def _requirements(extras: tuple[str, ...]) -> list[Requirement]:
    lines = list(PYPROJECT["dependencies"])
    for extra in extras:
        lines += PYPROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("name", ["app", "dev", *(f"{pi}-{kind}" for pi in PI_LOCKS for kind in ("app", "dev"))])
def test_every_package_is_pinned_with_hashes(name: str) -> None:
    pins = _pins(LOCKS / f"{name}.txt")
    assert len(pins) > 15
    assert all(hashes >= 1 for *_, hashes in pins), [p[0] for p in pins if p[3] == 0]
    names = {p[0] for p in pins}
    assert {"pip", "setuptools"} <= names  # the venv's own tools come from the lock too


@pytest.mark.parametrize(("lock", "environment"), [
    ("", {"python_version": "3.11", "python_full_version": "3.11.2", "platform_machine": "x86_64"}),
    ("", {"python_version": "3.13", "python_full_version": "3.13.5", "platform_machine": "aarch64"}),
    ("pi-py311-", {"python_version": "3.11", "python_full_version": "3.11.2", "platform_machine": "aarch64"}),
    ("pi-py313-", {"python_version": "3.13", "python_full_version": "3.13.5", "platform_machine": "aarch64"}),
])
def test_the_locks_satisfy_pyproject_ranges(lock: str, environment: dict[str, str]) -> None:
    environment = {"sys_platform": "linux", "platform_system": "Linux", **environment}
    for kind, extras in (("app", ()), ("dev", ("dev", "models"))):
        pinned = _versions(LOCKS / f"{lock}{kind}.txt", environment)
        if lock:
            pinned["numpy"] = PI_LOCKS[lock.rstrip("-")][1]  # from apt
        for requirement in _requirements(extras):
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            version = pinned.get(canonicalize_name(requirement.name))
            assert version is not None, f"{lock}{kind}.txt has no {requirement.name}: run sh tools/lock.sh"
            assert requirement.specifier.contains(version, prereleases=True), \
                f"{lock}{kind}.txt pins {requirement.name}=={version}, outside {requirement}: run sh tools/lock.sh"


@pytest.mark.parametrize("prefix", ["", *(f"{pi}-" for pi in PI_LOCKS)])
def test_the_app_lock_is_the_dev_lock_without_the_extras(prefix: str) -> None:
    """dev.txt serves the app too (bootstrap relies on it), so both must agree on every shared package."""
    app, dev = _versions(LOCKS / f"{prefix}app.txt"), _versions(LOCKS / f"{prefix}dev.txt")
    assert {name: dev.get(name) for name in app} == app


def test_the_pc_lock_pins_the_versions_the_models_were_built_with() -> None:
    build = tomllib.loads((MODELS_DIR / "manifest.toml").read_text(encoding="utf-8"))["build"]
    pinned = _versions(LOCKS / "dev.txt")
    assert {package: pinned[package] for package in BUILD_PACKAGES.values()} == \
        {package: build[key] for key, package in BUILD_PACKAGES.items()}


@pytest.mark.parametrize("pi", list(PI_LOCKS))
def test_pi_locks_leave_numpy_to_apt_and_say_which(pi: str) -> None:
    for kind in ("app", "dev"):
        path = LOCKS / f"{pi}-{kind}.txt"
        assert "numpy" not in _versions(path)
        assert path.read_text(encoding="utf-8").startswith(f"# system numpy: {PI_LOCKS[pi][1]} ")


def _lock_for_this_machine() -> Path:
    """The dev lock bootstrap.sh installs here (tests need the dev extras)."""
    model = Path("/proc/device-tree/model")
    if model.is_file() and b"Raspberry Pi" in model.read_bytes():
        return LOCKS / f"pi-py{sys.version_info[0]}{sys.version_info[1]}-dev.txt"
    return LOCKS / "dev.txt"


def test_the_venv_holds_exactly_the_lock() -> None:
    """What CI claims: the venv has every locked package at its locked version, and nothing else."""
    if sys.prefix == sys.base_prefix:
        pytest.skip("not running in a venv; sh tools/bootstrap.sh test makes one from the lock")
    site = sysconfig.get_paths()["purelib"]
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions(path=[site])}
    installed.pop("magicbooth", None)
    lock = _lock_for_this_machine()
    locked = _versions(lock)
    assert installed == locked, (
        f"the venv differs from {lock.relative_to(ROOT)}: "
        f"not locked {sorted(set(installed) - set(locked))}, missing {sorted(set(locked) - set(installed))}, "
        f"other versions {sorted(n for n in set(installed) & set(locked) if installed[n] != locked[n])}; "
        "run sh tools/bootstrap.sh setup dev")
