"""Contact sheet of the heavy effects, normal beside light (``Effect.light``, the quality governor's level 3).

One row per effect; per input two tiles, normal then light, rendered from the same scenes with the
same state history (each side renders the whole sequence, only ``light`` differs). Inputs: a test photo
(Grace Hopper; the two faces for ``swap``; the astronaut for ``character``, and for the kaiju with her
mouth opened, so it fires) and the last frame of the bundled sample clip, perceived frame after frame
with tracking as in the booth::

    python tools/light_sheet.py docs/effects/light_variants.jpg
    python tools/light_sheet.py /tmp/light.png --tile 480x360 --frames 40
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import numpy as np

# Each effect as bench_effects times it (the worst realistic case).
CASES = {
    "kaiju": {},
    "timemachine": {"duration": "0"},
    "background": {"mode": "blur"},
    "character": {"character": "hopper"},
    "swap": {},
    "beauty": {},
    "cartoon": {},
}


def rendered(name: str, options: dict[str, str], scenes: list, light: bool) -> np.ndarray:
    """The last picture of ``scenes`` drawn in order (state built up as in the booth)."""
    from magicbooth import effects
    from magicbooth.effects.surface import new_canvas, read_rgb

    fx = effects.create(name, options)
    fx.light = light
    canvas = new_canvas(scenes[0].frame.size)
    for i, sc in enumerate(scenes):
        fx.render(canvas, sc, i / 30)
    return read_rgb(canvas).copy()


def tile(image: np.ndarray, text: str, size: tuple[int, int]) -> np.ndarray:
    out = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    cv2.rectangle(out, (0, 0), (size[0], 22), (0, 0, 0), -1)
    cv2.putText(out, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="image to write (.jpg or .png)")
    parser.add_argument("--tile", default="240x180", help="tile size WxH")
    parser.add_argument("--frames", type=int, default=24, help="frames of the sample clip (the last is shown)")
    parser.add_argument("--effects", help="comma-separated effects (default: all seven)")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.tile.split("x"))
    cv2.setNumThreads(1)
    import gallery
    import gallery_inputs
    import photos

    clip = next(c for c in gallery_inputs.clips(args.frames) if c.name == "sample-clip")
    clip_scenes = gallery.perceive(clip)
    rows = []
    for name, options in CASES.items():
        if args.effects and name not in args.effects.split(","):
            continue
        still = photos.scene({"swap": "two", "kaiju": "astronaut", "character": "astronaut"}.get(name, "grace_hopper"))
        if name == "kaiju":
            still = photos.with_mouth_opened(still, 0.3)
        # A still is drawn 30 times (the kaiju's roar builds up, smoothing settles).
        inputs = (("photo", [still] * 30), ("sample clip", clip_scenes))
        cells = []
        for where, scenes in inputs:
            for light in (False, True):
                text = f"{name} {where}: {'light' if light else 'normal'}"
                cells.append(tile(rendered(name, options, scenes, light), text, size))
        rows.append(np.hstack(cells))
    sheet = cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, 82] if args.out.suffix.lower() in (".jpg", ".jpeg") else []
    if not cv2.imwrite(str(args.out), sheet, params):
        print(f"light_sheet: could not write {args.out}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
