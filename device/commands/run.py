"""``magicbooth run``: the live loop on the embedded default (sample source, headless when no display)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pygame

from magicbooth.commands import Context, seconds_arg
from magicbooth.core.errors import UsageError
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.display import Display, hud_lines

HELP = "run the booth: camera -> effects -> display (headless when there is no display)"

log = logging.getLogger("magicbooth.run")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=("auto", "booth", "headless", "preview"), default="auto",
                        help="booth (kiosk state machine), headless (GPIO button + LED), auto (default: booth "
                             "when a display opens, else headless), or preview (the live pipeline with an effect, "
                             "no recording; takes --effect, --seconds and --hud)")
    parser.add_argument("--source", help="auto | picamera2 | webcam[:N] | /dev/videoN | sample | FILE "
                        "(default: [camera] source)")
    parser.add_argument("--display", choices=("auto", "window", "fullscreen", "none"),
                        help="where to show the preview (default: [display] mode)")
    parser.add_argument("--effect", help="effect to start with (default: [effects] default); "
                        "arrow keys switch live")
    parser.add_argument("--seconds", type=seconds_arg(above_low=True), help="stop after this many seconds")
    parser.add_argument("--hud", action="store_true", help="show fps and per-stage timings")


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM, so the loop ends cleanly and closes files."""
    stop = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.mode != "preview":
        preview_only = [flag for flag, value in (("--effect", args.effect), ("--seconds", args.seconds),
                                                  ("--hud", args.hud)) if value]
        if preview_only:
            raise UsageError(f"{', '.join(preview_only)} only apply to --mode preview; the booth takes its "
                             "effects from [effects], headless from [headless] effect")
        from magicbooth.modes.launch import run_mode

        return run_mode(ctx.config_path, args.mode, source=args.source, display=args.display)
    config = ctx.config
    if args.hud:
        config = config.replace("display", hud=True)
    pipeline = build_pipeline(config, source=args.source, effect=args.effect)
    display = Display(config.display, mode=args.display, watermark=pipeline.watermark)
    display.hud_text = lambda: [f"effect: {pipeline.effect_name}", *hud_lines(pipeline)]
    carousel = pipeline.carousel
    assert carousel is not None

    def after_frame(_work: object) -> None:
        for event in display.take_events():
            if event.type == pygame.KEYDOWN:
                carousel.on_key(event.key)
        if display.quit_requested:
            stop.set()

    with stop_on_signals() as stop:
        pipeline.start()
        try:
            display.open(pipeline.source.size)
            if not display.is_shown:
                log.info("running headless; stop with Ctrl-C or SIGTERM")
            log.info("effect: %s", pipeline.effect_name)
            pipeline.add_sink(display)
            pipeline.when_frame = after_frame
            pipeline.run(stop, max_seconds=args.seconds)
        finally:
            pipeline.stop()
            display.close()
    return 0
