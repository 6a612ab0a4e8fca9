"""Count ARM instructions per frame of one effect's render (perception excluded), the Pi stand-in.

Scenes (frames, faces, meshes, masks) are made once on the development machine by the project's
own perception and saved, so the emulated Pi only renders::

    python tools/arm_count_effects.py --dump /var/tmp/fx-scenes.npz            # x86, once
    markrun.sh --cpu cortex-a72 -b $PWD:/app -b /var/tmp:/var/tmp -- \\
        /app/tools/arm_count_effects.py /var/tmp/fx-scenes.npz sticker design=crown

The dump holds the sample clip's frames (one face, moving) and the two-face test frame (for
``swap``). Each ``effect.render`` is wrapped in the marker syscalls that ``markrun.sh`` turns
into counts; outside the emulator the markers are harmless failing syscalls. The guest has no
installed magicbooth, so the package folders are mapped onto the import name here.

Flags before the effect name: ``--two`` draws the two-face frame (any effect; ``swap`` always
does), ``--roar`` opens every mouth (the kaiju fires only after its roar builds up, so give it
``--warmup 30``: the counted frames then have the beam firing), ``--warmup N`` renders N frames
(default 2) before counting, ``--light`` sets ``Effect.light`` (the quality governor's level "light"),
``--group N`` counts N frames per marker pair (divide by N: for work done every other frame, the light
time machine, ``--group 2`` gives the mean of a pair where single frames alternate cheap and dear)::

    markrun.sh ... -- /app/tools/arm_count_effects.py /var/tmp/fx-scenes.npz --roar --warmup 30 kaiju
    markrun.sh ... -- /app/tools/arm_count_effects.py /var/tmp/fx-scenes.npz --light --roar --warmup 30 kaiju
    markrun.sh ... -- /app/tools/arm_count_effects.py /var/tmp/fx-scenes.npz --light --group 2 timemachine
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FRAMES = 8


def _map(name: str, folder: Path) -> None:
    """Import ``folder`` as package ``name`` (what the installed package-dir mapping does)."""
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def _import_magicbooth() -> None:
    try:
        import magicbooth.effects  # noqa: F401  (installed: nothing to do)
    except ImportError:
        _map("magicbooth", ROOT / "device")
        _map("magicbooth.effects", ROOT / "effects")


def dump(path: Path) -> None:
    """Run perception on the sample clip and the two-face frame; save what the renders need."""
    import av

    sys.path.insert(0, str(ROOT))
    from magicbooth.core.config import Config
    from magicbooth.core.frames import Frame
    from magicbooth.perception import Perception
    from tests.photos import frame

    perception = Perception(Config(), {"faces", "mesh", "mask"})
    images = []
    with av.open(str(ROOT / "device" / "assets" / "sample.mp4")) as clip:
        for f in clip.decode(video=0):
            images.append(f.to_ndarray(format="rgb24"))
            if len(images) >= FRAMES + 2:
                break
    scenes = [perception.process(Frame(img, i / 30, i)) for i, img in enumerate(images)]
    two = Perception(Config(), {"faces", "mesh", "mask"}).process_still(Frame(np.array(frame("two")), 0.0, 0))
    out = {}
    for key, group in (("clip", scenes), ("two", [two])):
        out[f"{key}_images"] = np.stack([s.frame.image for s in group])
        out[f"{key}_meshes"] = np.array([[m.points for m in s.meshes] for s in group], np.float32)
        out[f"{key}_boxes"] = np.array([[f.box for f in s.faces] for s in group], np.float32)
        out[f"{key}_keypoints"] = np.array([[list(f.keypoints.values()) for f in s.faces] for s in group], np.float32)
        out[f"{key}_masks"] = np.stack([s.mask for s in group]).astype(np.float16)
    np.savez_compressed(path, **out)
    print(f"wrote {path}: {len(scenes)} clip frames, {len(two.meshes)} faces in the two-face frame")


def load(path: Path, which: str) -> list:
    from magicbooth.core.frames import Frame
    from magicbooth.core.scene import KEYPOINT_NAMES, Face, FaceMesh, Scene

    with np.load(path) as d:
        data = {k: d[k] for k in d.files if k.startswith(which)}
    scenes = []
    for i, img in enumerate(data[f"{which}_images"]):
        faces = tuple(Face(tuple(map(float, b)), 1.0, dict(zip(KEYPOINT_NAMES, map(tuple, k), strict=True)))
                      for b, k in zip(data[f"{which}_boxes"][i], data[f"{which}_keypoints"][i], strict=True))
        meshes = tuple(FaceMesh(m) for m in data[f"{which}_meshes"][i])
        scenes.append(Scene(Frame(img, i / 30, i), faces, meshes, data[f"{which}_masks"][i].astype(np.float32)))
    return scenes


def opened(scene: object) -> object:
    """The scene with every mouth opened (jaw lowered by 0.3 mouth widths), as tests/photos.py does it."""
    from magicbooth.core.scene import FaceMesh, Scene

    assert isinstance(scene, Scene)
    meshes = []
    for m in scene.meshes:
        p = m.points.copy()
        width = np.linalg.norm(p[61, :2] - p[291, :2])
        p[p[:, 1] > p[[13, 14], 1].mean(), 1] += 0.3 * width
        meshes.append(FaceMesh(p))
    return Scene(scene.frame, scene.faces, tuple(meshes), scene.mask, scene.timings)


def main() -> int:
    if sys.argv[1] == "--dump":
        dump(Path(sys.argv[2]))
        return 0
    _import_magicbooth()
    import cv2

    from magicbooth import effects
    from magicbooth.effects.surface import new_canvas

    args = sys.argv[2:]
    flags = {"--two": False, "--roar": False, "--light": False}
    warmup, group = 2, 1
    while args and args[0].startswith("--"):
        if args[0] == "--warmup":
            warmup, args = int(args[1]), args[2:]
        elif args[0] == "--group":
            group, args = int(args[1]), args[2:]
        else:
            flags[args[0]], args = True, args[1:]
    path, name = Path(sys.argv[1]), args[0]
    options = dict(kv.split("=", 1) for kv in args[1:])
    cv2.setNumThreads(1)
    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(tag: int) -> None:
        libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))

    scenes = load(path, "two") * (FRAMES + 2) if name == "swap" or flags["--two"] else load(path, "clip")
    if flags["--roar"]:
        scenes = [opened(s) for s in scenes]
    effect = effects.create(name, options)
    effect.light = flags["--light"]
    canvas = new_canvas(scenes[0].frame.size)
    for i in range(warmup):  # warm-up: asset loading, first-call allocations, and whatever builds up
        effect.render(canvas, scenes[i % 2], i / 30)
    mark(3)
    mark(4)
    counted = scenes[2:]
    for p in range(len(counted) // group):
        mark(10 + 2 * p)
        for i in range(p * group, (p + 1) * group):
            effect.render(canvas, counted[i], (warmup + i) / 30)
        mark(11 + 2 * p)
    print(f"{name} {options}{' light' if effect.light else ''}: {len(counted) // group * group} frames rendered "
          f"after {warmup} warm-up frames, {group} per count"
          + (", firing" if getattr(effect, "is_firing", False) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
