"""Regenerate ``effects/assets/`` and its manifest: face layout, characters, stickers, kaiju, backdrops.

Every asset comes from one *group* below; a group writes its files and returns one manifest entry
per file (source, licence, how it was made). ``manifest.json`` beside the assets lists them all
and ``NOTICE`` carries the attributions; a test checks that every file is listed. Deterministic
(seeded); run after changing an art script and commit the result::

    pip install -e '.[models]'
    python tools/make_assets.py                       # every group
    python tools/make_assets.py --only stickers characters
    python tools/make_assets.py --wheel mediapipe-0.10.14-...whl

Outside inputs, fetched with pip at build time and never at run time: the MediaPipe 0.10.14 wheel
(Apache-2.0; face-mesh numbering, connectivity and its float landmark model for the layout) and
the SciPy 1.10.1 wheel (its raccoon photo, if a character uses it). Photos come from scikit-image
and matplotlib, installed by the ``models`` extra.

Adding an asset: write a group function ``(out: Path, ctx: Context) -> list[Entry]`` and add it to
``GROUPS``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asset_art
import facemesh_layout

ASSETS = Path(__file__).resolve().parent.parent / "effects" / "assets"
MANIFEST = "manifest.json"
WHEEL = "mediapipe==0.10.14"
OURS = "Apache-2.0 (this project's own work, like the code)"


@dataclass(frozen=True)
class Entry:
    """One asset file in the manifest."""

    file: str
    group: str
    source: str        # where the input came from (a package and file, or "drawn by ...")
    licence: str       # SPDX identifier or "public domain (...)"
    how: str           # how it was made from the source
    attribution: str = ""  # text NOTICE must carry, if the licence asks for it


@dataclass
class Context:
    """What groups share during one run: a scratch directory and the mediapipe wheel once fetched."""

    tmp: Path
    wheel: Path | None = None
    cache: dict = field(default_factory=dict)

    def mediapipe_wheel(self) -> Path:
        if self.wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(self.tmp), WHEEL],
                           check=True)
            self.wheel = next(self.tmp.glob("mediapipe-*.whl"))
        return self.wheel


def write_png(path: Path, rgb_or_rgba: np.ndarray) -> None:
    img = rgb_or_rgba
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA if img.shape[2] == 4 else cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(path), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def write_jpeg(path: Path, rgb: np.ndarray, quality: int = 92) -> None:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])


def write_loop(path: Path, frames: list[np.ndarray], fps: int = 12) -> None:
    """A small H.264 MP4 that loops seamlessly."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "26", "preset": "slow"}
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


# ---- groups ------------------------------------------------------------------------------------
def layout(out: Path, ctx: Context) -> list[Entry]:
    mesh = facemesh_layout.build(ctx.mediapipe_wheel())
    np.savez_compressed(out / "face_mesh.npz", **mesh)
    return [Entry("face_mesh.npz", "layout", "mediapipe 0.10.14 wheel: face_mesh_connections.py and "
                  "face_landmark.tflite (https://github.com/google-ai-edge/mediapipe)", "Apache-2.0",
                  "point numbering and triangle list from MediaPipe's face mesh; the layout coordinates from "
                  "running its float landmark model on the astronaut (scikit-image) and Grace Hopper "
                  "(matplotlib) portraits, aligned and averaged (tools/facemesh_layout.py)",
                  "Face mesh topology: Copyright The MediaPipe Authors, Apache-2.0.")]


def characters(out: Path, ctx: Context) -> list[Entry]:
    import character_art

    table, entries = {}, []
    for ch in character_art.build():
        file = f"character_{ch.name}.jpg"
        write_jpeg(out / file, ch.image)
        table[ch.name] = {"image": file, **ch.meta()}
        entries.append(Entry(file, "characters", ch.source, ch.licence, ch.how))
    (out / "characters.json").write_text(json.dumps(table, indent=1) + "\n")
    entries.append(Entry("characters.json", "characters", "tools/character_art.py", OURS,
                         "head-mesh points of each character photo (and the hand-annotated animal landmarks)"))
    return entries


def stickers(out: Path, ctx: Context) -> list[Entry]:
    import sticker_art

    entries = []
    for name in sticker_art.DESIGNS:
        write_png(out / f"sticker_{name}.png", sticker_art.atlas(name))
        entries.append(Entry(f"sticker_{name}.png", "stickers", "drawn by tools/sticker_art.py", OURS,
                             "3D signed-distance model ray-marched and shaded for a grid of head yaws and "
                             "pitches (rows: pitches, columns: yaws; see stickers.json)"))
    (out / "stickers.json").write_text(json.dumps(sticker_art.spec(), indent=2) + "\n")
    entries.append(Entry("stickers.json", "stickers", "tools/sticker_art.py", OURS, "the atlas grid layout"))
    return entries


def ageing(out: Path, ctx: Context) -> list[Entry]:
    import age_maps

    with np.load(out / "face_mesh.npz") as data:
        mesh = {k: data[k] for k in data.files}
    write_png(out / "age_map.png", age_maps.age_map(mesh))
    return ageing_entries()


def ageing_entries() -> list[Entry]:
    return [Entry("age_map.png", "ageing", "drawn by tools/age_maps.py", OURS,
                  "the time machine's ageing map in the face layout: R wrinkle relief (grooves and folds in a "
                  "height field, lit from above, so light and dark sides), G age spots, B eyebrows")]


def kaiju(out: Path, ctx: Context) -> list[Entry]:
    import kaiju_render

    kaiju_render.build(out)  # about 20 CPU-minutes: every frame is ray-marched in numpy
    return kaiju_entries()


def kaiju_entries() -> list[Entry]:
    how = ("3D signed-distance model (ellipsoids, tapered capsules, leaf-shaped dorsal plates; skin bump-mapped "
           "with seeded cellular and value noise in the rest pose) ray-marched in numpy with soft shadows, ambient "
           "occlusion, sky fill and rim light, 2x supersampled; a 12-frame idle loop (breathing, head and tail "
           "sway) and a 5-frame roar, head to hips, seen from below")
    return [Entry("kaiju_sheet.jpg", "kaiju", "drawn by tools/kaiju_render.py", OURS, f"{how}: colour"),
            Entry("kaiju_alpha.png", "kaiju", "drawn by tools/kaiju_render.py", OURS, f"{how}: coverage"),
            Entry("kaiju_glow.png", "kaiju", "drawn by tools/kaiju_render.py", OURS,
                  f"{how}: where the plates glow when it charges"),
            Entry("kaiju.json", "kaiju", "tools/kaiju_render.py", OURS,
                  "sheet layout, idle and roar frames, the figure's height, mouth point and beam direction per frame")]


def backdrops(out: Path, ctx: Context) -> list[Entry]:
    cv2.imwrite(str(out / "construction_site.jpg"), asset_art.construction_site()[..., ::-1],
                [cv2.IMWRITE_JPEG_QUALITY, 88])
    write_loop(out / "clouds.mp4", asset_art.cloud_frames())
    return [Entry("construction_site.jpg", "backdrops", "drawn by tools/asset_art.py", OURS, "procedural drawing"),
            Entry("clouds.mp4", "backdrops", "drawn by tools/asset_art.py", OURS,
                  "procedural cloud loop encoded as H.264")]


# In build order: later groups may read earlier groups' files (ageing and characters read the layout).
GROUPS: dict[str, Callable[[Path, Context], list[Entry]]] = {
    "layout": layout, "characters": characters, "stickers": stickers, "ageing": ageing, "kaiju": kaiju,
    "backdrops": backdrops,
}


def write_manifest(out: Path, entries: list[Entry]) -> None:
    """``manifest.json`` (every file, sorted) and ``NOTICE`` (licences and attributions) from the entries."""
    rows = sorted((asdict(e) for e in entries), key=lambda r: r["file"])
    (out / MANIFEST).write_text(json.dumps({"generated_by": "tools/make_assets.py", "assets": rows}, indent=1)
                                + "\n")
    lines = ["Assets for magicbooth effects, generated by tools/make_assets.py; manifest.json lists every file",
             "with its source, licence and how it was made.", ""]
    for r in rows:
        lines.append(f"{r['file']}: {r['licence']}; source: {r['source']}")
        if r["attribution"]:
            lines.append(f"    {r['attribution']}")
    (out / "NOTICE").write_text("\n".join(lines) + "\n")


def read_manifest(out: Path) -> list[Entry]:
    path = out / MANIFEST
    if not path.is_file():
        return []
    return [Entry(**row) for row in json.loads(path.read_text())["assets"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded mediapipe 0.10.14 wheel")
    parser.add_argument("--out", type=Path, default=ASSETS)
    parser.add_argument("--only", nargs="+", choices=sorted(GROUPS), help="rebuild only these groups")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    chosen = args.only or list(GROUPS)
    entries = [e for e in read_manifest(out) if e.group not in chosen]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(Path(tmp), args.wheel)
        for name in GROUPS:
            if name in chosen:
                made = GROUPS[name](out, ctx)
                entries += made
                print(f"{name}: {', '.join(e.file for e in made)}")
    write_manifest(out, entries)
    total = sum(p.stat().st_size for p in out.iterdir())
    print(f"{len(list(out.iterdir()))} files, {total / 1024:.0f} KiB, in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
