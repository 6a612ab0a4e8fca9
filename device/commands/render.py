"""``magicbooth render INPUT OUTPUT --effect NAME [--option KEY=VALUE ...]``: an image or video through an effect.

Offline timing: every frame is processed in order, with scene time = frame index / fps, so
the same input gives the same output.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np

from magicbooth.commands import Context
from magicbooth.core.errors import EffectError, ModelError, SourceError
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Scene

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


def perceiver(ctx: Context, needs: frozenset[str], still: bool) -> Callable[[Frame], Scene]:
    """Frame -> Scene, running only the models the effect needs (a still has no tracking)."""
    if not needs:
        return lambda frame: Scene(frame)
    try:
        from magicbooth.perception import Perception  # type: ignore[attr-defined]
    except ImportError:
        raise ModelError(f"this effect needs {', '.join(sorted(needs))}, but perception is not part of this "
                         f"build; choose an effect that needs no models (see 'magicbooth effects')") from None
    perception = Perception(ctx.config, needs)
    return perception.process_still if still else perception.process


def run(args: argparse.Namespace, ctx: Context) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from magicbooth import effects
    from magicbooth.commands import render_io
    from magicbooth.effects.surface import new_canvas, read_rgb

    effect = effects.create(args.effect, parse_options(args.option, args.effect))
    src, dst = Path(args.input), Path(args.output)
    if not src.is_file():
        raise SourceError(f"{src}: no such file; give a video or image to render")
    perceive = perceiver(ctx, effect.needs, still=render_io.is_image(src))

    def draw(image: np.ndarray, index: int, t: float) -> np.ndarray:
        canvas = new_canvas((image.shape[1], image.shape[0]))
        effect.render(canvas, perceive(Frame(image, t, index)), t)
        return read_rgb(canvas)

    if render_io.is_image(src):
        if not render_io.is_image(dst):
            raise SourceError(f"{dst}: an image input needs an image output "
                              f"({', '.join(sorted(render_io.IMAGE_SUFFIXES))})")
        render_io.write_image(dst, draw(render_io.read_image(src), 0, 0.0))
        print(f"{dst}: 1 frame, effect {effect.name}")
        return 0
    if dst.suffix.lower() not in render_io.VIDEO_SUFFIXES:
        raise SourceError(f"{dst}: a video input needs a video output ({', '.join(sorted(render_io.VIDEO_SUFFIXES))})")
    reader = render_io.VideoReader(src)
    writer = render_io.H264Writer(dst, reader.fps)
    try:
        for index, image in enumerate(reader.frames()):
            writer.write(draw(image, index, float(index / Fraction(reader.fps))))
    finally:
        reader.close()
        writer.close()
    print(f"{dst}: {writer.count} frames, H.264, effect {effect.name}")
    return 0
