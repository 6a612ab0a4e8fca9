"""Real-photo test frames and their scenes (faces, meshes, masks).

Frames are built from the public-domain astronaut (scikit-image) and Grace Hopper
(matplotlib) portraits at 640x480, plus a composite with both faces. Scenes come from the
project's perception when it is importable, else from ``tests/data/scenes.npz``, which
``tools/make_test_scenes.py`` made with MediaPipe's float models on the same frames.
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from device.frames import Frame
from device.scene import Face, FaceMesh, Scene

DATA = Path(__file__).resolve().parent / "data" / "scenes.npz"
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
    elif name == "two":
        left = cv2.resize(photos["astronaut"], (320, 320), interpolation=cv2.INTER_AREA)
        right = cv2.resize(photos["grace_hopper"], (320, 375), interpolation=cv2.INTER_AREA)
        img = np.zeros((480, 640, 3), np.uint8)
        img[80:400, :320] = left
        img[80:455, 320:] = right
        img[:80] = img[80:81]
        img[455:, 320:] = right[-1]
        img[400:, :320] = left[-1]
    else:
        raise KeyError(name)
    img = np.ascontiguousarray(img)
    img.flags.writeable = False
    return img


def face_from_mesh(points: np.ndarray) -> Face:
    """Detector-style box and keypoints derived from a mesh (only for the stored fixture)."""
    from effects.assets import face_model

    model = face_model()
    p = points[:, :2]
    lo, hi = p.min(0), p.max(0)
    kp = {
        "right_eye": tuple(p[model.contour("right_eye_0")].mean(0)),
        "left_eye": tuple(p[model.contour("left_eye_0")].mean(0)),
        "nose_tip": tuple(p[1]),
        "mouth_center": tuple(p[[13, 14]].mean(0)),
        "right_ear_tragion": tuple(p[234]),
        "left_ear_tragion": tuple(p[454]),
    }
    kp = {k: (float(v[0]), float(v[1])) for k, v in kp.items()}
    return Face((float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])), 1.0, kp)


@functools.cache
def _stored() -> dict[str, np.ndarray]:
    with np.load(DATA) as data:
        return {k: data[k] for k in data.files}


def scene(name: str, t: float = 0.0, index: int = 0) -> Scene:
    """The scene for a test frame: faces, meshes and person mask at frame size."""
    image = frame(name)
    data = _stored()
    meshes = tuple(FaceMesh(m.astype(np.float32)) for m in data[f"{name}/meshes"])
    faces = tuple(face_from_mesh(m.points) for m in meshes)
    mask = cv2.resize(data[f"{name}/mask"].astype(np.float32) / 255, (image.shape[1], image.shape[0]),
                      interpolation=cv2.INTER_LINEAR)
    return Scene(Frame(image, t, index), faces, meshes, mask)


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
    faces = tuple(face_from_mesh(m.points) for m in meshes)
    return Scene(scene.frame, faces, tuple(meshes), scene.mask, scene.timings)
