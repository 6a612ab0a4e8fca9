"""A bad config keeps the service up: error on screen and LED, READY sent, last good copy for uploads."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pygame

from magicbooth.core.config import Config
from magicbooth.core.errors import ConfigError
from magicbooth.modes.config_error import wait_for_fixed_config
from magicbooth.modes.status_light import open_status_light
from magicbooth.service.last_good import load_resilient, remember
from magicbooth.service.notify import Notifier


def test_last_good_copy_is_used_when_the_file_breaks(tmp_path: Path) -> None:
    env = {"STATE_DIRECTORY": str(tmp_path / "state")}
    path = tmp_path / "config.toml"
    path.write_text("[booth]\ncountdown_s = 5\n")
    config, error = load_resilient(path, env)
    assert error is None and config.booth.countdown_s == 5
    kept = remember(config, env)
    assert kept is not None and kept.read_text() == path.read_text()
    path.write_text("[booth]\ncountdown_s = 99\n")                 # out of range
    config, error = load_resilient(path, env)
    assert isinstance(error, ConfigError) and "countdown_s = 99" in str(error)
    assert config.booth.countdown_s == 5 and config.source == str(kept)
    config, error = load_resilient(path, {"STATE_DIRECTORY": str(tmp_path / "empty")})
    assert error is not None and config == Config()                  # no copy: the defaults
    assert remember(Config(), env) is None                           # nothing to keep for built-in defaults


def test_error_is_shown_until_the_file_is_fixed(tmp_path: Path, screen: pygame.Surface, mock_pins: Any) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[booth]\ncountdown = 3\n")
    _, error = load_resilient(path, {"STATE_DIRECTORY": str(tmp_path)})
    assert isinstance(error, ConfigError)
    sock_path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    messages: list[str] = []
    done = threading.Event()

    def listen() -> None:
        sock.settimeout(0.1)
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                messages.append(sock.recv(4096).decode())

    def fix() -> None:
        time.sleep(0.6)
        path.write_text("[booth]\ncountdown_s = 3\n")

    light = open_status_light(Config().gpio)
    threads = [threading.Thread(target=listen), threading.Thread(target=fix)]
    for t in threads:
        t.start()
    shown_at: list[str] = []
    try:
        fixed = wait_for_fixed_config(error, path, screen=screen, light=light, poll_s=0.2,
                                      notifier=Notifier({"NOTIFY_SOCKET": sock_path, "WATCHDOG_USEC": "400000"}),
                                      stop=lambda: shown_at.append(light.pattern) is not None)
    finally:
        time.sleep(0.2)
        done.set()
        for t in threads:
            t.join()
        sock.close()
        light.close()
    assert fixed is True
    assert set(shown_at) == {"error"}                                 # the LED showed the error pattern
    assert messages[0].startswith("READY=1\nSTATUS=config error:") and "countdown" in messages[0]
    assert "WATCHDOG=1" in messages                                   # the service is not killed meanwhile
    assert messages[-1] == "STATUS=config fixed, restarting"
    red, green, blue = pygame.surfarray.array3d(screen)[2, 2]
    assert red > green and red > blue                                 # the error screen


def test_quit_while_showing_the_error(tmp_path: Path) -> None:
    error = ConfigError("f.toml: unknown section [camra]")
    start = time.monotonic()
    calls = []
    assert wait_for_fixed_config(error, tmp_path / "nope.toml", notifier=Notifier({}), poll_s=0.2,
                                 stop=lambda: calls.append(1) is None and len(calls) > 3) is False
    assert time.monotonic() - start < 2
