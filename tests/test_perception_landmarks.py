"""FaceLandmarker through the rotated crop: upright and at ±30°."""

from __future__ import annotations

import math

import numpy as np
import pytest

from magicbooth.core.config import Config
from magicbooth.perception import Perception
from magicbooth.perception.roi import Roi
from tests.perception_helpers import astronaut, frame, grace_hopper, nme, rotated


@pytest.fixture(scope="module")
def perception() -> Perception:
    return Perception(Config(), {"faces", "mesh"})


def test_mesh_on_real_photos(perception: Perception) -> None:
    for image in (astronaut(), grace_hopper()):
        scene = perception.process_still(frame(image))
        assert len(scene.meshes) == 1
        mesh = scene.meshes[0]
        assert mesh.points.shape == (468, 3) and mesh.points.dtype == np.float32
        assert mesh.presence > 0.9
        x, y, w, h = scene.faces[0].box
        inside = ((mesh.points[:, 0] > x - 0.3 * w) & (mesh.points[:, 0] < x + 1.3 * w)
                  & (mesh.points[:, 1] > y - 0.6 * h) & (mesh.points[:, 1] < y + 1.3 * h))
        assert inside.mean() > 0.98
        # Nose tip (1) below the eye corners (33, 263) and above the lips (13/14). On a closed mouth the inner
        # lips coincide (0.4 px apart in float on grace_hopper), so their order holds only within the int8
        # error allowed for landmarks: 2 % of the inter-ocular distance.
        p = mesh.points
        inter_ocular = float(np.hypot(*(p[33, :2] - p[263, :2])))
        assert max(p[33, 1], p[263, 1]) < p[1, 1] < p[13, 1] < p[14, 1] + 0.02 * inter_ocular


@pytest.mark.parametrize("degrees", [30.0, -30.0])
def test_landmarks_hold_at_30_degrees(perception: Perception, degrees: float) -> None:
    image = astronaut()
    upright = perception.process_still(frame(image)).meshes[0].points
    centre = tuple(float(v) for v in upright[:, :2].mean(axis=0))
    turned, matrix = rotated(image, centre, degrees)
    scene = perception.process_still(frame(turned))
    assert len(scene.faces) == 1 and len(scene.meshes) == 1
    expected = upright[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    assert nme(scene.meshes[0].points, expected) < 0.05
    eye_line = scene.meshes[0].points[263, :2] - scene.meshes[0].points[33, :2]
    reference = expected[263] - expected[33]
    angle = math.degrees(math.atan2(eye_line[1], eye_line[0]) - math.atan2(reference[1], reference[0]))
    assert abs(angle) < 4.0


def test_roi_round_trip() -> None:
    roi = Roi(cx=200.0, cy=150.0, size=120.0, angle=math.radians(25))
    pts = np.array([[0, 0, 0], [192, 192, 5], [96, 96, 0]], np.float32)
    out = roi.project(pts, 192)
    assert np.allclose(out[2, :2], [200, 150], atol=1e-3)
    corner = np.array([-60, -60]) @ np.array([[math.cos(roi.angle), math.sin(roi.angle)],
                                             [-math.sin(roi.angle), math.cos(roi.angle)]])
    assert np.allclose(out[0, :2], np.array([200, 150]) + corner, atol=1e-3)
    assert np.isclose(out[1, 2], 5 * 120 / 192)


def test_crop_is_upright_face() -> None:
    """A crop taken along a rotated eye line and mapped back lands where the pixels came from."""
    image = np.zeros((240, 320, 3), np.uint8)
    image[100:110, 150:160] = 255
    roi = Roi(cx=155.0, cy=105.0, size=64.0, angle=math.radians(40))
    crop = roi.crop(image, 64)
    ys, xs = np.nonzero(crop[..., 0] > 128)
    centre = roi.project(np.array([[xs.mean() + 0.5, ys.mean() + 0.5, 0]], np.float32), 64)[0]
    assert np.allclose(centre[:2], [155, 105], atol=1.0)
