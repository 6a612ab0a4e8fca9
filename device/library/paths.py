"""Where the clip library lives, resolved from the config; every part uses this one helper.

The state directory is ``[device] state_dir``, else ``$STATE_DIRECTORY``
(systemd's ``StateDirectory=``), else the current directory (``magicbooth.core.machine.state_dir``);
clips live in ``<state dir>/clips`` unless ``[storage] clips_dir`` says otherwise.

>>> clips_root(Config(), environ={"STATE_DIRECTORY": "/var/lib/magicbooth"})
PosixPath('/var/lib/magicbooth/clips')
>>> clips_root(Config().replace("storage", clips_dir="/media/usb/clips"))
PosixPath('/media/usb/clips')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from magicbooth.core.config import Config
from magicbooth.core.machine import state_dir


def clips_root(config: Config, environ: Mapping[str, str] = os.environ) -> Path:
    """The clip library root: ``[storage] clips_dir`` or ``<state dir>/clips``."""
    if config.storage.clips_dir:
        return Path(config.storage.clips_dir).expanduser()
    return state_dir(config.device.state_dir, environ) / "clips"
