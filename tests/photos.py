"""Real-photo test frames and their scenes (faces, meshes, masks).

Frames are built from the public-domain astronaut (scikit-image) and Grace Hopper
(matplotlib) portraits at 640x480, plus a composite with both faces. Scenes come from the
project's own int8 perception (``magicbooth.perception``), run once per frame and cached.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import cv2
import numpy as np

from magicbooth.core.frames import Frame
from magicbooth.core.scene import KEYPOINT_NAMES, Face, FaceMesh, Scene

NAMES = ("astronaut", "grace_hopper", "two")


@functools.cache
def portraits() -> dict[str, np.ndarray]:
    import matplotlib.cbook
    import skimage.data
    from PIL import Image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as fh:
        grace = np.asarray(Image.open(fh).convert("RGB"))
    return {"astronaut": skimage.data.astronaut(), "grace_hopper": grace}


@functools.cache
def frame(name: str) -> np.ndarray:
    """A 640x480 RGB test frame (read-only)."""
    photos = portraits()
    if name == "astronaut":
        img = cv2.resize(photos["astronaut"], (640, 640), interpolation=cv2.INTER_AREA)[:480]
    elif name == "grace_hopper":
        img = cv2.resize(photos["grace_hopper"], (640, 750), interpolation=cv2.INTER_AREA)[40:520]
    elif name == "two":  # both portraits side by side, cropped around the head, with headroom for stickers
        left = photos["astronaut"][0:390, 65:385]
        right = cv2.resize(photos["grace_hopper"][30:493, 74:454], (320, 390), interpolation=cv2.INTER_AREA)
        img = cv2.copyMakeBorder(np.hstack([left, right]), 90, 0, 0, 0, cv2.BORDER_REPLICATE)
    else:
        raise KeyError(name)
    img = np.ascontiguousarray(img)
    img.flags.writeable = False
    return img


@functools.cache
def _perception() -> object:
    from magicbooth.core.config import Config
    from magicbooth.perception import Perception

    return Perception(Config(), {"faces", "mesh", "mask"})


@functools.cache
def scene(name: str) -> Scene:
    """The scene the project's int8 perception finds in a test frame, faces ordered left to right."""
    found = _perception().process_still(Frame(frame(name), 0.0, 0))  # type: ignore[attr-defined]
    assert len(found.faces) == len(found.meshes), "every test face should get a mesh"
    pairs = sorted(zip(found.faces, found.meshes, strict=True), key=lambda fm: fm[0].box[0])
    return Scene(found.frame, tuple(f for f, _ in pairs), tuple(m for _, m in pairs), found.mask, found.timings)


STORED = Path(__file__).resolve().parent / "golden" / "scenes"
UPDATE_SCENES = "MAGICBOOTH_UPDATE_SCENES"


@functools.cache
def stored_scene(name: str) -> Scene:
    """The scene of a test frame as stored in ``golden/scenes``: fixed inputs for the golden images.

    Golden effect images drawn from live perception changed with every model rebuild; drawn from
    stored scenes they change only when an effect does. ``test_stored_scenes_match_perception``
    checks the stored scenes still agree with perception. Rewrite them with
    ``MAGICBOOTH_UPDATE_SCENES=1 pytest tests/test_effects_golden.py``.
    """
    path = STORED / f"{name}.npz"
    if os.environ.get(UPDATE_SCENES) or not path.is_file():
        _store(scene(name), path)
    with np.load(path) as data:
        faces = tuple(Face(tuple(float(v) for v in box), float(score),
                           {k: (float(x), float(y)) for k, (x, y) in zip(KEYPOINT_NAMES, points, strict=True)})
                      for box, score, points in zip(data["boxes"], data["scores"], data["keypoints"], strict=True))
        meshes = tuple(FaceMesh(points.astype(np.float32), float(presence))
                       for points, presence in zip(data["meshes"], data["presence"], strict=True))
        mask = data["mask"].astype(np.float32) / 255.0
    mask.flags.writeable = False
    return Scene(Frame(frame(name), 0.0, 0), faces, meshes, mask)


def _store(found: Scene, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mask = found.mask if found.mask is not None else np.zeros(found.frame.image.shape[:2], np.float32)
    np.savez_compressed(
        path, boxes=np.array([f.box for f in found.faces], np.float32).reshape(-1, 4),
        scores=np.array([f.score for f in found.faces], np.float32),
        keypoints=np.array([[f.keypoints[k] for k in KEYPOINT_NAMES] for f in found.faces],
                           np.float32).reshape(-1, len(KEYPOINT_NAMES), 2),
        meshes=np.array([m.points for m in found.meshes], np.float32).reshape(-1, 468, 3),
        presence=np.array([m.presence for m in found.meshes], np.float32),
        mask=np.round(np.clip(mask, 0, 1) * 255).astype(np.uint8))


def empty_scene(name: str = "astronaut") -> Scene:
    """The same frame with nothing detected."""
    return Scene(Frame(frame(name), 0.0, 0))


def draw(effect: object, scene: Scene, t: float = 0.0) -> np.ndarray:
    """Render one frame headless and return the canvas as an (H, W, 3) RGB array."""
    from magicbooth.effects.surface import new_canvas, read_rgb

    canvas = new_canvas(scene.frame.size)
    effect.render(canvas, scene, t)  # type: ignore[attr-defined]
    return read_rgb(canvas).copy()


def changed(a: np.ndarray, b: np.ndarray, threshold: int = 12) -> np.ndarray:
    """Boolean (H, W): pixels whose largest channel difference exceeds ``threshold``."""
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > threshold


def with_mouth_opened(scene: Scene, by: float) -> Scene:
    """The scene with every mesh's jaw (points below the mouth centre) lowered by ``by`` mouth widths.

    A real open mouth moves the lower lip and chin down; this gives the kaiju test a known
    mouth opening on a real face without a second photo.
    """
    meshes = []
    for m in scene.meshes:
        p = m.points.copy()
        centre_y = p[[13, 14], 1].mean()
        width = np.linalg.norm(p[61, :2] - p[291, :2])
        below = p[:, 1] > centre_y
        p[below, 1] += by * width
        meshes.append(FaceMesh(p))
    return Scene(scene.frame, scene.faces, tuple(meshes), scene.mask, scene.timings)
