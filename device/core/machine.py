"""Facts about the machine we run on: Pi model, display availability, state directory, device id."""

from __future__ import annotations

import glob
import os
import re
import socket
from collections.abc import Mapping
from pathlib import Path

MODEL_FILE = Path("/proc/device-tree/model")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


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


def device_id(configured: str = "", hostname: str | None = None) -> str:
    """This booth's name in clip sidecars and upload keys: ``[device] id``, else the hostname, else ``booth``.

    Made safe for an object key (runs of other characters become ``-``), so the sidecar, the
    recovered clip and the upload key always carry the same name.

    >>> device_id("booth 07/α")
    'booth-07'
    >>> device_id("", hostname="pi-kiosk.local"), device_id("", hostname="")
    ('pi-kiosk.local', 'booth')
    """
    name = configured or (socket.gethostname() if hostname is None else hostname)
    return _UNSAFE.sub("-", name).strip("-.") or "booth"
