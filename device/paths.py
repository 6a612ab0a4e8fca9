"""Where magicbooth keeps its state and its clips, resolved once from the config.

DESIGN.md: the state directory is ``[device] state_dir``, else ``$STATE_DIRECTORY``
(systemd's ``StateDirectory=``), else the current directory; clips live in
``<state dir>/clips`` unless ``[storage] clips_dir`` says otherwise.

>>> clips_root(Config())          # outside systemd, no config
PosixPath('clips')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from device.config import Config


def state_dir(config: Config, environ: Mapping[str, str] = os.environ) -> Path:
    """The state directory: config, then systemd's $STATE_DIRECTORY (first entry), then ``.``."""
    if config.device.state_dir:
        return Path(config.device.state_dir).expanduser()
    systemd = environ.get("STATE_DIRECTORY", "")
    if systemd:
        return Path(systemd.split(":")[0])
    return Path(".")


def clips_root(config: Config, environ: Mapping[str, str] = os.environ) -> Path:
    """The clip library root: ``[storage] clips_dir`` or ``<state dir>/clips``."""
    if config.storage.clips_dir:
        return Path(config.storage.clips_dir).expanduser()
    return state_dir(config, environ) / "clips"
