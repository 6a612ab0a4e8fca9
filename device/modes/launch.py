"""Wire a mode to the real parts: config (resilient), the pipeline, recorder, display, GPIO, systemd.

``run_mode`` is what ``magicbooth run --mode booth|headless`` calls. It picks
the booth when a display opens and headless otherwise, builds the one pipeline
(``pipeline.builder``) with the mode's effects, sends READY only once the camera
delivers a frame, and on a bad config shows the error (screen or LED) instead
of exiting, returning ``EXIT_RELOAD`` once the file is fixed.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from magicbooth.core.config import Config
from magicbooth.core.errors import ConfigError, DisplayError
from magicbooth.effects.plain import Plain
from magicbooth.modes.config_error import EXIT_RELOAD, wait_for_fixed_config
from magicbooth.modes.status_light import StatusLight, open_status_light
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.display import Display
from magicbooth.pipeline.sinks import RecordSink
from magicbooth.recording.recorder import Recorder
from magicbooth.service.last_good import config_file, load_resilient, remember
from magicbooth.service.notify import Notifier
from magicbooth.upload.queue import queue_for_kept_clips

log = logging.getLogger(__name__)

MODES = ("auto", "booth", "headless")


def run_mode(config_path: str | None, mode: str | None = "auto", *, source: str | None = None,
             display: str | None = None, pin_factory: Any = None, notifier: Notifier | None = None,
             shutdown: Callable[[], None] | None = None) -> int:
    """Run the booth or the headless recorder until SIGTERM; returns the process exit status."""
    notifier = notifier or Notifier()
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)   # a press sent while starting must not kill the process
    deferred = _DeferredStop()
    previous = {sig: signal.signal(sig, deferred) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return _run_mode(config_path, mode, notifier, source=source, display=display,
                         pin_factory=pin_factory, shutdown=shutdown)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _DeferredStop:
    """SIGTERM/SIGINT before a mode takes over its own signals: remembered, acted on by ``drive``."""

    def __init__(self) -> None:
        self.fired = False

    def __call__(self, signum: int, _frame: object) -> None:
        log.info("received %s while starting; stopping once started", signal.Signals(signum).name)
        self.fired = True


def _run_mode(config_path: str | None, mode: str | None, notifier: Notifier, *, source: str | None,
              display: str | None, pin_factory: Any, shutdown: Callable[[], None] | None) -> int:
    config, error = load_resilient(config_path)
    wanted = "none" if mode == "headless" else display
    screen_owner = Display(config.display, mode=wanted)
    if error is not None:
        if not notifier.enabled:
            raise error  # run by hand: one line and status 2; only a service waits for the file to be fixed
        return _show_config_error(config_path, error, config, screen_owner, pin_factory, notifier)
    remember(config)
    with ExitStack() as stack:
        stack.callback(screen_owner.close)
        screen_owner.open(config.camera.size)
        if mode == "booth" and not screen_owner.is_shown:
            raise DisplayError("booth mode needs a display: connect a screen, or use --mode headless")
        use_booth = screen_owner.is_shown
        # Models load here, before the mode reports READY: the booth every carousel effect's, headless its one.
        effect = config.headless.effect or Plain.name
        pipeline = build_pipeline(config, source=source, effects=None if use_booth else (effect,),
                                  live=True, preload=use_booth)
        stack.callback(pipeline.stop)
        pipeline.start(wait_for_camera=True)
        with _stop_flag() as stopped:
            first = pipeline.first_frame(stopped)
        if first is None:
            return 0
        when_kept = stack.enter_context(queue_for_kept_clips(config))
        with Recorder(config, first.size, config.camera.fps,
                      effect="" if use_booth else effect) as recorder:
            pipeline.add_sink(RecordSink(recorder, live=True, watermark=pipeline.watermark))
            if use_booth:
                from magicbooth.modes.booth import run_booth

                assert screen_owner.screen is not None
                return run_booth(config, pipeline, recorder, screen_owner.screen, when_kept=when_kept,
                                 notifier=notifier, pin_factory=pin_factory)
            from magicbooth.modes.headless import run_headless

            def storage_low() -> bool:
                return recorder.status.storage != "ok"

            return run_headless(config, pipeline, recorder, pin_factory=pin_factory, shutdown=shutdown,
                                when_kept=when_kept, storage_low=storage_low, notifier=notifier)


def _show_config_error(config_path: str | None, error: ConfigError, config: Config, display: Display,
                       pin_factory: Any, notifier: Notifier) -> int:
    light = StatusLight(None)
    try:
        light = open_status_light(config.gpio, pin_factory=pin_factory)
    except Exception as exc:
        log.warning("status LED unavailable: %s", exc)
    try:
        display.open(config.camera.size)
        path: Path | None = config_file(config_path)
        with _stop_flag() as stopped:
            fixed = wait_for_fixed_config(error, path, screen=display.screen, light=light, notifier=notifier,
                                          poll_s=config.service.config_poll_s, stop=stopped)
        return EXIT_RELOAD if fixed else 0
    finally:
        light.close()
        display.close()


@contextmanager
def _stop_flag() -> Iterator[Callable[[], bool]]:
    """A callable that turns True after SIGTERM (restored on exit)."""
    flag = {"stop": False}

    def handler(*_: object) -> None:
        flag["stop"] = True

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield lambda: flag["stop"]
    finally:
        signal.signal(signal.SIGTERM, previous)
