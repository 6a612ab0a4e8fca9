"""Keep the last config that parsed, so a bad edit cannot stop clips from uploading.

A service that exits on a bad config is restarted by systemd, fails again and
hits the start limit: a crash loop, and meanwhile nothing uploads. Instead:
the booth and headless modes show the error (screen, LED) and wait for a fix,
while the uploader runs on the last good copy kept in the state directory.

Usage::

    config, error = load_resilient(args.config)   # error is None when the file is fine
    if error is None:
        remember(config)                          # the copy the uploader falls back on
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from magicbooth.core.config import Config, find_config_file, load_config, parse_config
from magicbooth.core.errors import ConfigError
from magicbooth.core.machine import state_dir
from magicbooth.library.clips import durable_replace

log = logging.getLogger(__name__)

LAST_GOOD = "last-good-config.toml"


def last_good_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the copy lives: the service's state directory (or the current directory outside systemd)."""
    return state_dir("", environ) / LAST_GOOD


def remember(config: Config, environ: Mapping[str, str] = os.environ) -> Path | None:
    """Save the file ``config`` came from as the last good copy (nothing to do for built-in defaults)."""
    source = Path(config.source)
    if not source.is_file():
        return None
    target = last_good_path(environ)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        durable_replace(tmp, target)
    except OSError as exc:
        log.warning("could not keep a copy of the good config at %s: %s", target, exc)
        return None
    return target


def load_resilient(explicit: str | os.PathLike[str] | None = None,
                   environ: Mapping[str, str] = os.environ) -> tuple[Config, ConfigError | None]:
    """The config, or on a ConfigError the last good copy (else the defaults) together with the error."""
    try:
        return load_config(explicit, environ), None
    except ConfigError as error:
        copy = last_good_path(environ)
        try:
            config = parse_config(copy.read_text(encoding="utf-8"), str(copy))
            log.error("%s; running on the last good copy %s until it is fixed", error, copy)
        except (OSError, ConfigError):
            config = Config()
            log.error("%s; no good copy kept, running on the built-in defaults until it is fixed", error)
        return config, error


def config_file(explicit: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] = os.environ) -> Path | None:
    """The file that is (or would be) loaded, to watch it for a fix."""
    return find_config_file(explicit, environ)
