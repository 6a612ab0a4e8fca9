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
from magicbooth.core.errors import LibraryError
from magicbooth.core.machine import state_dir


def clips_root(config: Config, environ: Mapping[str, str] = os.environ) -> Path:
    """The clip library root: ``[storage] clips_dir`` or ``<state dir>/clips``."""
    if config.storage.clips_dir:
        return Path(config.storage.clips_dir).expanduser()
    return state_dir(config.device.state_dir, environ) / "clips"


def prepare_library(root: Path, *, create: bool = True) -> Path:
    """Create the library folder (a recorder does this when it opens); ``LibraryError`` if a file is in the way."""
    if root.exists() and not root.is_dir():
        raise LibraryError(f"{root}: the clip library is a file, not a folder; set [storage] clips_dir to a "
                           f"folder (or leave it empty for <state dir>/clips), or move the file")
    if not create:
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LibraryError(f"{root}: a file is in the way of the clip library's folder; set [storage] clips_dir "
                           f"to a folder, or move the file") from None
    except OSError as exc:
        raise LibraryError(f"{root}: cannot create the clip library: {exc.strerror or exc}; set [storage] "
                           f"clips_dir to a writable folder") from None
    return root
