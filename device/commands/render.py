"""``magicbooth render INPUT OUTPUT --effect NAME [--option KEY=VALUE ...]``: an image or video through an effect.

Offline timing: every frame is processed in order, with scene time = frame index / fps, so
the same input gives the same output.
"""

from __future__ import annotations

import argparse
import logging
import os
from fractions import Fraction
from pathlib import Path

from magicbooth import effects
from magicbooth.commands import Context
from magicbooth.core.errors import EffectError, SourceError
from magicbooth.core.media import IMAGE_SUFFIXES, VIDEO_SUFFIXES, is_image
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.sinks import ImageFileSink, VideoFileSink

HELP = "apply an effect to a video or an image file"
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT", help="video (.mp4, .mov, ...) or image (.png, .jpg, ...)")
    parser.add_argument("output", metavar="OUTPUT", help="H.264 .mp4 for a video input, an image for an image")
    parser.add_argument("--effect", default="none", metavar="NAME", help="effect name (see 'magicbooth effects')")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="effect option, repeatable (see 'magicbooth effects --options')")


def parse_options(items: list[str], effect: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise EffectError(f"--option {item!r} for effect {effect!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def run(args: argparse.Namespace, ctx: Context) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    src, dst = Path(args.input), Path(args.output)
    options = parse_options(args.option, args.effect)
    effects.get(args.effect)   # an unknown name fails before any file is opened, listing the valid ones
    if not src.is_file():
        raise SourceError(f"{src}: no such file; give a video or image to render")
    if is_image(src) and not is_image(dst):
        raise SourceError(f"{dst}: an image input needs an image output ({', '.join(sorted(IMAGE_SUFFIXES))})")
    if not is_image(src) and dst.suffix.lower() not in VIDEO_SUFFIXES:
        raise SourceError(f"{dst}: a video input needs a video output ({', '.join(sorted(VIDEO_SUFFIXES))})")
    # Offline: every frame in order, scene time = frame index / fps, so the same input gives the same output.
    pipeline = build_pipeline(ctx.config, source=str(src), effects=(args.effect,),
                              options={args.effect: options}, live=False, realtime=False, loop=False)
    pipeline.start()
    try:
        fps = Fraction(pipeline.source.fps).limit_denominator(1001)
        sink = ImageFileSink(dst) if is_image(src) else VideoFileSink(dst, fps)
        pipeline.add_sink(sink)
        pipeline.run()
    finally:
        pipeline.stop()
    kind = "" if is_image(src) else ", H.264"
    print(f"{dst}: {sink.count} frame{'s' if sink.count != 1 else ''}{kind}, effect {args.effect}")
    return 0
