"""Before/after contact sheets of the person mask and the effects that use it.

Renders the mask, background blur and replacement, kaiju (room and backdrop) and time machine
on varied public-domain photos (portraits, two faces, a profile, a close-up, a person cut by the
frame edge, a group, frames with no person) and on a moving clip, once with the code of a
baseline git revision and once with this checkout, and writes one image per effect: each row
a photo, before on the left, after on the right.

    python tools/contact_sheet.py OUTDIR [--baseline REV] [--png]

Each side runs in its own Python process with ``magicbooth`` laid out from that side's files
(symlinks, as setuptools' package-dir maps them), so the two never mix.

``--stills docs/effects`` instead refreshes the kaiju's and the time machine's stills there with this
checkout: the "after" tiles of ``*_before_after.jpg`` (the "before" tile, top left, is kept as it is),
the sample-clip strips and the variety sheet (input, time machine, kaiju on the gallery's photos).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "210c205"  # main before the mask issue
TILE = (320, 240)
EFFECTS = {
    "mask": None,
    "background-blur": ("background", {"mode": "blur"}),
    "background-image": ("background", {"mode": "image"}),
    "kaiju-room": ("kaiju", {"backdrop": "false", "shake": "0"}),
    "kaiju-backdrop": ("kaiju", {"shake": "0"}),
    "timemachine": ("timemachine", {"duration": "0"}),
}
CLIP_FRAMES = (8, 9, 10, 11, 12)


def photos() -> dict[str, np.ndarray]:
    """640×480 test pictures made from photos that ship in pip packages (public domain / CC0)."""
    sys.path.insert(0, str(ROOT))
    from tools.matting.clips import background
    from tools.matting.cutouts import cutout
    from tools.modelfactory.images import load_photo

    def fit(image: np.ndarray, size: tuple[int, int] = (640, 480)) -> np.ndarray:
        s = max(size[0] / image.shape[1], size[1] / image.shape[0])
        big = cv2.resize(image, (round(image.shape[1] * s), round(image.shape[0] * s)), interpolation=cv2.INTER_AREA)
        y, x = (big.shape[0] - size[1]) // 2, (big.shape[1] - size[0]) // 2
        return np.ascontiguousarray(big[y:y + size[1], x:x + size[0]])

    def paste(back: np.ndarray, person: str, height: int, centre: tuple[int, int]) -> np.ndarray:
        rgb, alpha = cutout(person)
        s = height / rgb.shape[0]
        m = np.float32([[s, 0, centre[0] - s * rgb.shape[1] / 2], [0, s, centre[1] - s * rgb.shape[0] / 2]])
        a = cv2.warpAffine(alpha, m, (640, 480))[..., None]
        out = cv2.warpAffine(rgb, m, (640, 480), borderMode=cv2.BORDER_REPLICATE) * a + back * (1 - a)
        return np.clip(out, 0, 255).astype(np.uint8)

    astronaut, grace, camera = (load_photo(n).image for n in ("astronaut", "grace_hopper", "camera"))
    two = np.hstack([cv2.resize(astronaut[0:390, 65:385], (320, 390)),
                     cv2.resize(grace[30:493, 74:454], (320, 390), interpolation=cv2.INTER_AREA)])
    group = background("gravel").copy()
    for person, x in (("astronaut", 90), ("grace_hopper", 250), ("camera", 400), ("grace_hopper", 560)):
        group = paste(group, person, 250, (x, 355))
    return {
        "astronaut": fit(astronaut),
        "grace hopper": fit(grace),
        "two faces": cv2.copyMakeBorder(two, 90, 0, 0, 0, cv2.BORDER_REPLICATE),
        "profile (camera)": fit(camera),
        "close-up": fit(astronaut[40:330, 110:400]),
        "cut by the edge": paste(background("motorcycle_left"), "grace_hopper", 460, (600, 260)),
        "orange wall": paste(background("wall"), "astronaut", 470, (330, 250)),
        "group of four": group,
        "no person (coffee)": background("coffee"),
    }


def render(out: Path) -> None:
    """Run in a child process: every effect on every photo, and the sway clip, with this side's code."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from magicbooth import effects
    from magicbooth.core.config import Config
    from magicbooth.core.frames import Frame
    from magicbooth.effects.surface import new_canvas, read_rgb
    from magicbooth.perception import Perception
    from tools.matting.clips import CLIPS

    config = Config()
    results: dict[str, np.ndarray] = {}
    perception = Perception(config, {"faces", "mesh", "mask"})

    def draw(case: str, scene: object) -> np.ndarray:
        if EFFECTS[case] is None:
            mask = scene.mask if scene.mask is not None else np.zeros(scene.frame.image.shape[:2], np.float32)
            return overlay(scene.frame.image, mask)
        name, options = EFFECTS[case]
        canvas = new_canvas(scene.frame.size)
        effects.create(name, options).render(canvas, scene, 0.0)
        return read_rgb(canvas).copy()

    for title, image in photos().items():
        scene = perception.process_still(Frame(image, 0.0, 0))
        for case in EFFECTS:
            results[f"{case}|{title}"] = draw(case, scene)
    clip = next(c for c in CLIPS if c.name == "sway")
    live = Perception(config, {"faces", "mesh", "mask"})
    for i, f in enumerate(clip.frames()):
        scene = live.process(Frame(f.image, i / 30, i))
        if i in CLIP_FRAMES:
            for case in ("mask", "background-image"):
                results[f"clip-{case}|frame {i}"] = draw(case, scene)
    np.savez_compressed(out, **{k: v for k, v in results.items()})


def overlay(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mask shown on the picture: background dimmed and tinted, the person as captured."""
    tint = np.array([40, 200, 90], np.float32)
    a = mask[..., None]
    return np.clip(image * a + (image * 0.35 + tint * 0.4) * (1 - a), 0, 255).astype(np.uint8)


def side(root: Path, out: Path) -> None:
    """Render with the code in ``root`` (a checkout), in a child process."""
    with tempfile.TemporaryDirectory() as site:
        package = Path(site) / "magicbooth"
        package.mkdir()
        for entry in (root / "device").iterdir():
            (package / entry.name).symlink_to(entry)
        for name in ("effects", "models_tflite", "systemd"):
            (package / name).symlink_to(root / name)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, str(ROOT)]), SDL_VIDEODRIVER="dummy")
        subprocess.run([sys.executable, __file__, "--render", str(out)], env=env, check=True)


def label(tile: np.ndarray, text: str) -> np.ndarray:
    tile = np.ascontiguousarray(tile)
    cv2.putText(tile, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(tile, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def sheets(before: dict[str, np.ndarray], after: dict[str, np.ndarray], outdir: Path, name: str,
           suffix: str = ".jpg") -> list[Path]:
    written = []
    cases = sorted({k.split("|")[0] for k in after})
    for case in cases:
        rows = []
        for key in [k for k in after if k.split("|")[0] == case]:
            title = key.split("|")[1]
            b = label(cv2.resize(before[key], TILE, interpolation=cv2.INTER_AREA), f"before: {title}")
            a = label(cv2.resize(after[key], TILE, interpolation=cv2.INTER_AREA), f"after: {title}")
            rows.append(np.hstack([b, np.full((TILE[1], 4, 3), 255, np.uint8), a]))
        sheet = np.vstack([np.vstack([r, np.full((4, r.shape[1], 3), 255, np.uint8)]) for r in rows])
        path = outdir / f"{name}-{case}{suffix}"
        cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 90, cv2.IMWRITE_PNG_COMPRESSION, 9])
        written.append(path)
    return written


STILL = (480, 360)                          # one tile of a before/after sheet, with a 17-pixel title bar


def _titled(image: np.ndarray, text: str, size: tuple[int, int] = STILL) -> np.ndarray:
    tile = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    tile[:17] = 0
    cv2.putText(tile, text, (6, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def stills(outdir: Path) -> list[Path]:
    """Refresh docs/effects: before/after sheets (keeping their "before" tile), clip strips, variety sheet."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tools"))
    import gallery
    import gallery_inputs

    from magicbooth import effects
    from magicbooth.effects.surface import new_canvas, read_rgb
    from tests.photos import scene, with_mouth_opened

    def kaiju(sc: object, frames: int = 22) -> np.ndarray:
        fx, canvas = effects.create("kaiju", {"shake": "0"}), new_canvas((640, 480))
        opened = with_mouth_opened(sc, 0.3) if sc.meshes else sc
        for i in range(frames):   # 0.7 s of roaring: the head is up and the beam fires
            fx.render(canvas, opened, i / 30)
        return read_rgb(canvas).copy()

    def aged(sc: object) -> np.ndarray:
        fx, canvas = effects.create("timemachine", {"duration": "0"}), new_canvas((640, 480))
        fx.render(canvas, sc, 0.0)
        return read_rgb(canvas).copy()

    written = []
    for name, draw in (("kaiju", kaiju), ("timemachine", aged)):
        path = outdir / f"{name}_before_after.jpg"
        old = cv2.imread(str(path))
        before = old[:STILL[1], :STILL[0], ::-1] if old is not None else np.zeros((STILL[1], STILL[0], 3), np.uint8)
        tiles = [before] + [_titled(draw(scene(which)), f"after: {title}")
                            for which, title in (("two", "two faces"), ("astronaut", "astronaut"),
                                                 ("grace_hopper", "Grace Hopper"))]
        sheet = np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:])])
        cv2.imwrite(str(path), sheet[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 88])
        written.append(path)
    # The sample clip, perception per frame with tracking: kaiju as it is, the time machine over a 3 s clip.
    clip = next(c for c in gallery_inputs.clips(90) if c.name == "sample-clip")
    scenes = gallery.perceive(clip)
    picks = np.linspace(0, len(scenes) - 1, 7).round().astype(int)
    for name, options in (("kaiju", {"shake": "0"}), ("timemachine", {"duration": "3"})):
        frames = gallery.render(name, options, scenes)
        cells = [cv2.resize(frames[i], (320, 240), interpolation=cv2.INTER_AREA) for i in picks]
        cells.append(np.zeros_like(cells[0]))
        strip = np.vstack([np.hstack(cells[:4]), np.hstack(cells[4:])])
        path = outdir / f"{name}_sample_clip.jpg"
        cv2.imwrite(str(path), strip[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 88])
        written.append(path)
    rows = []
    for inp in gallery_inputs.stills():
        sc = gallery.perceive(inp)[0]
        cells = [_titled(inp.frames[0], f"{inp.name} faces={len(sc.meshes)}", (240, 180)),
                 _titled(aged(sc), "time machine +60", (240, 180)), _titled(kaiju(sc), "kaiju", (240, 180))]
        rows.append(np.hstack(cells))
    path = outdir / "kaiju_timemachine_variety.jpg"
    cv2.imwrite(str(path), np.vstack(rows)[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 88])
    written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", nargs="?", type=Path)
    parser.add_argument("--baseline", default=BASELINE, help="git revision drawn as 'before'")
    parser.add_argument("--png", action="store_true", help="write PNG (lossless, about 5× larger) instead of JPEG")
    parser.add_argument("--render", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stills", type=Path, help="refresh the kaiju's and time machine's stills in this folder")
    args = parser.parse_args()
    if args.render:
        render(args.render)
        return 0
    if args.stills:
        for path in stills(args.stills):
            print(path)
        return 0
    if args.outdir is None:
        parser.error("give an output folder")
    args.outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        base = Path(work) / "baseline"
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        side(base, Path(work) / "before.npz")
        side(ROOT, Path(work) / "after.npz")
        with np.load(Path(work) / "before.npz") as b, np.load(Path(work) / "after.npz") as a:
            before, after = dict(b), dict(a)
    for path in sheets(before, after, args.outdir, "contact", ".png" if args.png else ".jpg"):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
