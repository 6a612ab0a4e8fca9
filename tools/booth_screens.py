"""Render every booth screen at every display size over a real camera picture, for people to look at.

    python tools/booth_screens.py OUTDIR [--language de] [--sizes 800x480,720x1280] [--contact docs/booth-screens.jpg]

The picture is the bundled sample clip (a real face) run through the real pipeline
(``build_pipeline``: perception and the effect), and the screens are drawn by the booth's
own ``BoothView``, so what you see is what a guest sees. OUTDIR gets one PNG per state and
size plus ``index.html``; ``--contact`` also writes a contact sheet (a JPEG grid).
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import cv2
import numpy as np
import pygame

from magicbooth.core.config import Config
from magicbooth.modes.view import BoothView
from magicbooth.pipeline.builder import build_pipeline

SIZES = ((800, 480), (720, 1280), (1280, 720), (1920, 1080))
QR_URL = "https://clips.example.org/v/20250614-153012-a1b2c3"
# (file name, state, what it shows, moment values)
SHOTS: tuple[tuple[str, str, str, dict[str, object]], ...] = (
    ("01-attract", "attract", "attract: live effect carousel", {}),
    ("02-attract-loop", "attract", "attract loop (nobody there, effects cycling)", {"idle": True, "now": 0.4}),
    ("03-step-closer", "attract", "effect needs a face, none found", {"no_face": True}),
    ("04-consent", "consent", "consent before recording", {}),
    ("05-countdown", "countdown", "countdown", {"since": 0.6}),
    ("06-recording", "recording", "recording", {"since": 4.2}),
    ("07-review-saving", "review", "review: the clip is being saved", {"now": 0.3}),
    ("08-review", "review", "review: keep or retake", {"clip_ready": True, "review_left": 17.2}),
    ("09-saved-qr", "saved", "saved, with the QR code", {"qr_url": QR_URL, "saved_left": 0.7}),
    ("10-saved", "saved", "saved, no QR code configured", {"uploading": True, "saved_left": 0.7}),
    ("11-failsafe-camera", "failsafe", "camera lost", {"reason": "camera", "camera_lost": True, "retry_in": 1.7}),
    ("12-failsafe-error", "failsafe", "an unexpected error", {"reason": "other", "retry_in": 3.2}),
    ("13-gestures", "attract", "gestures on: the start screen's hint", {"gestures": True}),
    ("14-palm-held", "attract", "an open palm held for 0.6 s (gestures)",
     {"gestures": True, "palm": (0.3, 0.42, 0.13), "palm_progress": 0.6, "palm_pose": "open_palm"}),
    ("15-review-gestures", "review", "review with gestures: a thumb up held",
     {"gestures": True, "clip_ready": True, "review_left": 17.2, "palm": (0.72, 0.3, 0.11), "palm_progress": 0.4,
      "palm_pose": "thumb_up"}),
)


def _frames(config: Config, effect: str) -> tuple[BoothView, object]:
    """A pipeline on the sample clip with every effect and a view over it, shown every effect once (as the
    attract loop does) so each live thumbnail has been drawn, then stepped on ``effect``."""
    pipeline = build_pipeline(config, source="sample", effect=effect, live=False, loop=True)
    pipeline.start()
    carousel = pipeline.carousel
    assert carousel is not None
    view = BoothView(config, carousel, pipeline.watermark)
    now = 0.0
    for name in (*carousel.names, effect):
        carousel.select(name)
        for _ in range(12):
            work = pipeline.step()
            view.update(work, now)
            now += 0.5
    pipeline.stop()
    return view, work


def render(outdir: Path, *, language: str = "en", sizes: tuple[tuple[int, int], ...] = SIZES,
           effect: str = "sticker") -> list[tuple[str, str, tuple[int, int], Path]]:
    """Write every shot at every size; returns (name, caption, size, path) for each."""
    config = Config().replace("booth", language=language, consent=True)
    view, work = _frames(config, effect)
    outdir.mkdir(parents=True, exist_ok=True)
    pygame.display.init()
    pygame.font.init()
    written = []
    clip = np.ascontiguousarray(work.image).copy()   # the review loops the clip: here, this frame as recorded,
    if view.watermark is not None:                    # with the watermark burned in as the recorder's sink does
        view.watermark.draw(pygame.image.frombuffer(clip, (clip.shape[1], clip.shape[0]), "RGB"))
    for size in sizes:
        screen = pygame.display.set_mode(size)
        for name, state, caption, values in SHOTS:
            if state == "failsafe":
                view.show(screen, None)
            elif state in ("review", "saved"):
                view.show_clip(screen, clip, watermarked=True)
            else:
                view.show(screen, work.canvas)
            view.draw(screen, view.moment(state, **values))
            path = outdir / f"{name}-{size[0]}x{size[1]}-{language}.png"
            pygame.image.save(screen, str(path))
            written.append((name, caption, size, path))
    return written


def write_index(outdir: Path, shots: list[tuple[str, str, tuple[int, int], Path]]) -> Path:
    rows = []
    for name in dict.fromkeys(s[0] for s in shots):
        cells = [s for s in shots if s[0] == name]
        imgs = "".join(f'<figure><img src="{html.escape(p.name)}" width="{min(360, w * 240 // h)}">'
                       f"<figcaption>{w}×{h} {html.escape(p.stem.rsplit('-', 1)[-1])}</figcaption></figure>"
                       for _, _, (w, h), p in cells)
        rows.append(f"<h2>{html.escape(name)}: {html.escape(cells[0][1])}</h2><div>{imgs}</div>")
    page = ("<!doctype html><meta charset=utf-8><title>magicbooth screens</title><style>body{font-family:sans-serif;"
            "background:#222;color:#eee}figure{display:inline-block;margin:6px;vertical-align:top}"
            "img{border:1px solid #555}</style><h1>magicbooth booth screens</h1>" + "".join(rows))
    index = outdir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def contact_sheet(shots: list[tuple[str, str, tuple[int, int], Path]], target: Path, height: int = 200) -> Path:
    """One JPEG: a row per shot, its sizes side by side at ``height`` px, captions on the left."""
    names = list(dict.fromkeys(s[0] for s in shots))
    pygame.font.init()
    from magicbooth.pipeline.overlay import font

    rows = []
    for name in names:
        tiles = []
        for *_, path in (s for s in shots if s[0] == name):
            img = cv2.imread(str(path))
            w = round(img.shape[1] * height / img.shape[0])
            tiles += [cv2.resize(img, (w, height), interpolation=cv2.INTER_AREA), np.full((height, 8, 3), 34, np.uint8)]
        label = font(18).render(f"{name[3:]}", True, (235, 235, 235), (34, 34, 34))
        text = np.full((height, 190, 3), 34, np.uint8)
        lab = np.ascontiguousarray(pygame.surfarray.array3d(label).transpose(1, 0, 2)[:, :182, ::-1])
        text[10:10 + lab.shape[0], 8:8 + lab.shape[1]] = lab
        rows.append(np.hstack([text, *tiles]))
    width = max(r.shape[1] for r in rows)
    sheet = np.vstack([np.pad(r, ((0, 8), (0, width - r.shape[1]), (0, 0)), constant_values=34) for r in rows])
    target.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(target), sheet, [cv2.IMWRITE_JPEG_QUALITY, 82])
    return target


def _size(text: str) -> tuple[int, int]:
    w, _, h = text.partition("x")
    return int(w), int(h)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--language", default="en", help="catalogue language (en, de)")
    parser.add_argument("--sizes", help="comma-separated WxH (default: 800x480,720x1280,1280x720,1920x1080)")
    parser.add_argument("--effect", default="sticker", help="effect drawn on the picture")
    parser.add_argument("--contact", type=Path, help="also write a contact sheet JPEG here")
    args = parser.parse_args(argv)
    sizes = tuple(_size(s) for s in args.sizes.split(",")) if args.sizes else SIZES
    shots = render(args.outdir, language=args.language, sizes=sizes, effect=args.effect)
    print(write_index(args.outdir, shots))
    if args.contact:
        print(contact_sheet(shots, args.contact))
    return 0


if __name__ == "__main__":
    sys.exit(main())
