"""Every effect on awkward input: faces half out of frame, odd frame sizes, tiny faces, a mask but no face."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from magicbooth import effects
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Face, FaceMesh, Scene
from tests.photos import draw, frame, scene, with_mouth_opened

NAMES = sorted(effects.available())


def moved(sc: Scene, dx: float, dy: float, zoom: float = 1.0, image: np.ndarray | None = None) -> Scene:
    """The same detections shifted and scaled (the picture itself stays, or is replaced)."""
    def p(x: float, y: float) -> tuple[float, float]:
        return x * zoom + dx, y * zoom + dy

    faces = tuple(Face((f.box[0] * zoom + dx, f.box[1] * zoom + dy, f.box[2] * zoom, f.box[3] * zoom), f.score,
                       {k: p(*v) for k, v in f.keypoints.items()}) for f in sc.faces)
    meshes = []
    for m in sc.meshes:
        pts = m.points.copy()
        pts[:, :2] = pts[:, :2] * zoom + (dx, dy)
        pts[:, 2] *= zoom
        meshes.append(FaceMesh(pts))
    img = sc.frame.image if image is None else image
    mask = sc.mask if image is None else cv2.resize(sc.mask, (img.shape[1], img.shape[0]))
    return Scene(Frame(img, sc.frame.t, sc.frame.index), faces, tuple(meshes), mask)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("dx", "dy"), [(-250, 0), (330, 0), (0, -170), (0, 330)])
def test_face_partly_or_wholly_off_frame(name: str, dx: float, dy: float) -> None:
    sc = with_mouth_opened(moved(scene("astronaut"), dx, dy), 0.3)
    fx = effects.create(name)
    for i in range(3):
        out = draw(fx, sc, t=i / 30)
    assert out.shape == (480, 640, 3)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [(321, 241), (1280, 720)])
def test_odd_and_large_frame_sizes(name: str, size: tuple[int, int]) -> None:
    w, h = size
    image = np.ascontiguousarray(cv2.resize(np.asarray(frame("two")), size, interpolation=cv2.INTER_AREA))
    sc = moved(scene("two"), 0, 0, zoom=w / 640, image=image)
    out = draw(effects.create(name), with_mouth_opened(sc, 0.3), t=0.1)
    assert out.shape == (h, w, 3)


@pytest.mark.parametrize("name", NAMES)
def test_tiny_faces(name: str) -> None:
    sc = moved(scene("astronaut"), 300, 200, zoom=0.08)
    out = draw(effects.create(name), sc)
    assert out.shape == (480, 640, 3)


@pytest.mark.parametrize("name", NAMES)
def test_faces_without_meshes_and_meshes_without_faces(name: str) -> None:
    sc = scene("two")
    for variant in (Scene(sc.frame, sc.faces, (), sc.mask), Scene(sc.frame, (), sc.meshes, sc.mask)):
        assert draw(effects.create(name), variant).shape == (480, 640, 3)
