"""Facts about the machine we run on: Pi model, display availability, state directory."""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from pathlib import Path

MODEL_FILE = Path("/proc/device-tree/model")


def board_model(model_file: Path = MODEL_FILE) -> str:
    """The board name from the device tree ('' when there is none, e.g. on a PC)."""
    try:
        return model_file.read_bytes().rstrip(b"\0").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def is_raspberry_pi(model_file: Path = MODEL_FILE) -> bool:
    return board_model(model_file).startswith("Raspberry Pi")


def display_candidates(environ: Mapping[str, str] = os.environ) -> list[tuple[str, str]]:
    """(mode, SDL driver) pairs worth trying for ``display = auto``, best first.

    A desktop session gives a window; a DRM device with no desktop gives
    kmsdrm fullscreen (the Pi console, as the booth service runs it); an
    explicit ``SDL_VIDEODRIVER`` is honoured as is.
    """
    if environ.get("SDL_VIDEODRIVER"):
        return [("window", environ["SDL_VIDEODRIVER"])]
    found: list[tuple[str, str]] = []
    if environ.get("WAYLAND_DISPLAY"):
        found.append(("window", "wayland"))
    if environ.get("DISPLAY"):
        found.append(("window", "x11"))
    if glob.glob("/dev/dri/card*") and not found:
        found.append(("fullscreen", "kmsdrm"))
    return found


def state_dir(configured: str = "", environ: Mapping[str, str] = os.environ) -> Path:
    """Where clips and queues live: config, else systemd's $STATE_DIRECTORY, else the current directory."""
    if configured:
        return Path(configured).expanduser()
    if environ.get("STATE_DIRECTORY"):
        return Path(environ["STATE_DIRECTORY"].split(":")[0])
    return Path.cwd()
