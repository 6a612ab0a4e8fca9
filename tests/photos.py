"""Real-photo test frames and their scenes (faces, meshes, masks).

Frames are built from the public-domain astronaut (scikit-image) and Grace Hopper
(matplotlib) portraits at 640x480, plus a composite with both faces. Scenes come from the
project's own int8 perception (``device.perception``), run once per frame and cached.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from device.frames import Frame
from device.scene import FaceMesh, Scene

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
    from device.config import Config
    from device.perception import Perception

    return Perception(Config(), {"faces", "mesh", "mask"})


@functools.cache
def scene(name: str) -> Scene:
    """The scene the project's int8 perception finds in a test frame, faces ordered left to right."""
    found = _perception().process_still(Frame(frame(name), 0.0, 0))  # type: ignore[attr-defined]
    assert len(found.faces) == len(found.meshes), "every test face should get a mesh"
    pairs = sorted(zip(found.faces, found.meshes, strict=True), key=lambda fm: fm[0].box[0])
    return Scene(found.frame, tuple(f for f, _ in pairs), tuple(m for _, m in pairs), found.mask, found.timings)


def empty_scene(name: str = "astronaut") -> Scene:
    """The same frame with nothing detected."""
    return Scene(Frame(frame(name), 0.0, 0))


def draw(effect: object, scene: Scene, t: float = 0.0) -> np.ndarray:
    """Render one frame headless and return the canvas as an (H, W, 3) RGB array."""
    from effects.surface import new_canvas, read_rgb

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
