"""Show a bad config instead of crash-looping: on screen, on the LED, in ``systemctl status``.

The service stays up (READY is sent, the watchdog is fed) so systemd does not
restart it into the same error until the start limit gives up; the upload
service keeps sending clips meanwhile. When the file is fixed this returns,
and the caller exits with ``EXIT_RELOAD`` so systemd starts a fresh process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from magicbooth.core.config import load_config
from magicbooth.core.errors import ConfigError
from magicbooth.modes import screens
from magicbooth.modes.events import Action, pygame_events
from magicbooth.modes.status_light import StatusLight
from magicbooth.service.notify import Notifier, WatchdogGate

log = logging.getLogger(__name__)

EXIT_RELOAD = 3   # non-zero, so Restart=on-failure starts the fixed service again


def wait_for_fixed_config(error: ConfigError, path: Path | None, *, screen: Any = None,
                          light: StatusLight | None = None, notifier: Notifier | None = None,
                          poll_s: float = 2.0, stop: Callable[[], bool] = lambda: False) -> bool:
    """Show ``error`` until ``path`` parses (True) or ``stop()`` / a window close asks to quit (False)."""
    notifier = notifier or Notifier()
    gate = WatchdogGate(notifier, stall_s=max(poll_s * 2, 1.0))
    message = str(error)
    notifier.ready(f"config error: {message}")
    log.error("config error, waiting for a fix: %s", message)
    if light is not None:
        light.show("error")
    seen = _mtime(path)
    next_poll = time.monotonic() + poll_s
    while not stop():
        if screen is not None:
            if any(e.action is Action.QUIT for e in pygame_events(screen.get_size())):
                return False
            _draw(screen, message)
        gate.alive()
        gate.tick()
        if time.monotonic() >= next_poll:
            next_poll = time.monotonic() + poll_s
            current = _mtime(path)
            if current != seen:
                seen = current
                try:
                    load_config(path)
                except ConfigError as again:
                    message = str(again)
                    notifier.status(f"config error: {message}")
                    log.error("config still bad: %s", message)
                    continue
                log.info("config fixed: %s", path)
                notifier.status("config fixed, restarting")
                return True
        time.sleep(0.1)
    return False


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime_ns if path is not None else None
    except OSError:
        return None


def _draw(screen: Any, message: str) -> None:
    import pygame

    screens.setup_error(screen, message)
    pygame.display.flip()
