"""Render every effect, with every option that changes its look, on photos and clips into an HTML gallery.

    python tools/gallery.py OUTDIR [IMAGE_OR_VIDEO ...] [--effects sticker,character] [--frames 60]

Without inputs it uses the default set (``tools/gallery_inputs.py``: ages, glasses, two faces, a
face at the edge, a close-up, a turned head, dim light, a deeper skin tone, no face, and four
clips). Perception is the project's own (``magicbooth.perception``), run once per input. Stills
are written full size; each clip becomes a strip of frames taken across it, with the clip's
flicker (the output's frame-to-frame change over the input's, where the effect works; above 1.0
it shimmers more than the camera picture). Open ``OUTDIR/index.html`` in a browser.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import gallery_inputs
import numpy as np
from effect_metrics import flicker
from gallery_inputs import Input

from magicbooth import effects
from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Scene
from magicbooth.effects.surface import new_canvas, read_rgb
from magicbooth.perception import Perception

# Options that change behaviour over time, not the look of a frame; and free-form ones (files).
NOT_LOOKS = {"smoothing", "duration", "loop", "file", "fps"}
STRIP = 6   # frames per clip strip


def variants(name: str) -> list[dict[str, str]]:
    """The option sets that show every look of an effect: the defaults, then one change at a time."""
    out: list[dict[str, str]] = [{}]
    for opt in effects.get(name).Options.describe():
        key, default = opt["name"], opt["default"]
        if key in NOT_LOOKS:
            continue
        if opt["choices"]:
            out += [{key: str(c)} for c in opt["choices"] if c != default]
        elif isinstance(default, bool):
            out.append({key: str(not default).lower()})
        elif isinstance(default, (int, float)) and opt["low"] is not None and opt["high"] is not None:
            # Halfway to the far end of the range: a visible change that still shows the effect.
            far = opt["low"] if default - opt["low"] > opt["high"] - default else opt["high"]
            value = (default + far) / 2
            out.append({key: str(round(value) if isinstance(default, int) else round(value, 2))})
    return out


def label(options: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items()) or "defaults"


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-") or "defaults"


def perceive(inp: Input) -> list[Scene]:
    """Scenes for every frame: a still is processed alone, a clip with tracking, frame after frame."""
    perception = Perception(Config(), {"faces", "mesh", "mask"})
    frames = [Frame(np.ascontiguousarray(f), i / 30, i) for i, f in enumerate(inp.frames)]
    if not inp.is_clip:
        return [perception.process_still(frames[0])]
    return [perception.process(f) for f in frames]


def render(name: str, options: dict[str, str], scenes: list[Scene], *, light: bool = False) -> list[np.ndarray]:
    """The effect's frames over ``scenes`` (``light``: its light picture, as the quality governor asks)."""
    fx = effects.create(name, options)
    fx.light = light
    canvas = new_canvas(scenes[0].frame.size)
    fx.restart()
    out = []
    for scene in scenes:
        fx.render(canvas, scene, scene.frame.t)
        out.append(read_rgb(canvas).copy())
    return out


def write_jpeg(path: Path, rgb: np.ndarray, quality: int = 88) -> None:
    cv2.imwrite(str(path), rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])


def strip(frames: list[np.ndarray]) -> np.ndarray:
    idx = np.linspace(0, len(frames) - 1, STRIP).round().astype(int)
    return np.hstack([cv2.resize(frames[i], (320, 240), interpolation=cv2.INTER_AREA) for i in idx])


@dataclasses.dataclass
class Cell:
    file: str
    note: str = ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("inputs", nargs="*", type=Path, help="photos or videos (default: the built-in set)")
    parser.add_argument("--effects", help="comma-separated effect names (default: every effect)")
    parser.add_argument("--frames", type=int, default=60, help="frames per clip")
    parser.add_argument("--no-clips", action="store_true", help="default set: stills only")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    names = args.effects.split(",") if args.effects else [n for n in effects.available() if n != "none"]
    for n in names:
        effects.get(n)   # unknown names fail here, listing the valid ones
    if args.inputs:
        inputs = [gallery_inputs.load(p, args.frames) for p in args.inputs]
    else:
        inputs = gallery_inputs.stills() + ([] if args.no_clips else gallery_inputs.clips(args.frames))
    out: Path = args.outdir
    (out / "img").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    scenes = {}
    for inp in inputs:
        scenes[inp.name] = perceive(inp)
        first = inp.frames if inp.is_clip else [inp.frames[0]]
        write_jpeg(out / "img" / f"{inp.name}--input.jpg", strip(list(first)) if inp.is_clip else inp.frames[0])
    table: dict[str, dict[str, dict[str, Cell]]] = {}
    metrics = []
    for name in names:
        table[name] = {}
        for options in variants(name):
            row = table[name][label(options)] = {}
            for inp in inputs:
                frames = render(name, options, scenes[inp.name])
                file = f"img/{name}--{slug(label(options))}--{inp.name}.jpg"
                if inp.is_clip:
                    write_jpeg(out / file, strip(frames))
                    f = flicker(inp.frames, frames)
                    note = f"flicker {f.ratio:.2f} (area {f.area:.0%})" if f.area else "unchanged"
                    metrics.append({"effect": name, "options": options, "clip": inp.name, "flicker": f.ratio,
                                    "source_change": f.source, "output_change": f.output, "area": f.area})
                else:
                    write_jpeg(out / file, frames[0])
                    note = ""
                row[inp.name] = Cell(file, note)
        print(f"{name}: {len(table[name])} looks x {len(inputs)} inputs ({time.monotonic() - started:.0f} s)")
    (out / "flicker.json").write_text(json.dumps(metrics, indent=1) + "\n")
    (out / "index.html").write_text(page(inputs, table))
    print(f"wrote {out / 'index.html'}")
    return 0


def page(inputs: list[Input], table: dict[str, dict[str, dict[str, Cell]]]) -> str:
    e = html.escape
    stills = [i for i in inputs if not i.is_clip]
    clips = [i for i in inputs if i.is_clip]
    parts = ["<!doctype html><meta charset=utf-8><title>magicbooth effects gallery</title>",
             "<style>body{font:14px sans-serif;margin:16px;background:#222;color:#eee}"
             "table{border-collapse:collapse}td,th{padding:3px;vertical-align:top;text-align:left}"
             "img{display:block}.s img{width:240px}.c img{width:960px}small{color:#aaa}a{color:#9cf}"
             "h2{margin-top:32px}</style>",
             "<h1>magicbooth effects gallery</h1><p>Every effect with every option that changes its look, on "
             "photos and clips. Click a picture for full size. Clip strips show frames across the clip; "
             "flicker is the output's frame-to-frame change over the input's where the effect works "
             "(1.0 = as steady as the camera picture).</p>",
             "<p>Effects: " + " ".join(f"<a href='#{e(n)}'>{e(n)}</a>" for n in table) + "</p>"]

    def img(file: str, cls: str) -> str:
        return f"<a href='{e(file)}'><img class={cls} src='{e(file)}' loading=lazy></a>"

    parts.append("<h2>Inputs</h2><table class=s><tr>")
    for i in stills:
        parts.append(f"<td>{img(f'img/{i.name}--input.jpg', 's')}<b>{e(i.name)}</b><br><small>{e(i.note)}</small></td>")
    parts.append("</tr></table>")
    for name, looks in table.items():
        fx = effects.get(name)
        parts.append(f"<h2 id='{e(name)}'>{e(name)}: {e(fx.title)}</h2>")
        parts.append("<table class=s><tr><th>look</th>" + "".join(f"<th>{e(i.name)}</th>" for i in stills) + "</tr>")
        parts.append("<tr><td><i>input</i></td>" + "".join(f"<td>{img(f'img/{i.name}--input.jpg', 's')}</td>"
                                                          for i in stills) + "</tr>")
        for look, row in looks.items():
            parts.append(f"<tr><td><b>{e(look)}</b></td>" + "".join(f"<td>{img(row[i.name].file, 's')}</td>"
                                                                   for i in stills) + "</tr>")
        parts.append("</table>")
        if clips:
            parts.append("<table class=c>")
            for i in clips:
                parts.append(f"<tr><td><b>{e(i.name)}</b> <small>{e(i.note)}</small>"
                             f"{img(f'img/{i.name}--input.jpg', 'c')}</td></tr>")
                for look, row in looks.items():
                    cell = row[i.name]
                    parts.append(f"<tr><td>{e(look)} <small>{e(cell.note)}</small>{img(cell.file, 'c')}</td></tr>")
            parts.append("</table>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.exit(main())
