"""Face effects on real photos: each draws where it should, on every face, and nothing without faces."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from magicbooth import effects
from magicbooth.core.scene import Face, FaceMesh, Scene
from magicbooth.effects.faces import anchor
from tests.photos import changed, draw, empty_scene, frame, scene

FACE_EFFECTS = ("sticker", "character", "timemachine", "beauty", "kaiju")


def hull_mask(mesh: FaceMesh, shape: tuple[int, ...], grow: int = 0) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(mesh.points[:, :2]).astype(np.int32)), 1)
    if grow:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    return mask.astype(bool)


@pytest.mark.parametrize("design", ["bunny", "cat", "crown", "tophat"])
@pytest.mark.parametrize("name", ["astronaut", "two"])
def test_sticker_appears_above_each_face_box_and_nowhere_else(design: str, name: str) -> None:
    sc = scene(name)
    out = draw(effects.create("sticker", {"design": design}), sc)
    diff = changed(out, frame(name))
    assert diff.any()
    allowed = np.zeros_like(diff)
    for face in sc.faces:
        x, y, w, h = face.box
        # Above the face box (a little overlap with the hairline), no wider than two face widths.
        x0, x1 = int(x - w * 0.6), int(x + w * 1.6)
        allowed[: int(y + h * 0.12), max(x0, 0): x1] = True
        above = diff[: int(y), max(int(x), 0): int(x + w)]
        assert above.sum() > w * h * 0.03, "the sticker should cover a good part of the space above the face"
    assert not (diff & ~allowed).any()


def test_sticker_follows_roll_and_scale() -> None:
    sc = scene("astronaut")
    fx = effects.create("sticker", {"design": "crown", "smoothing": "0"})
    face = sc.faces[0]
    a = anchor(face)

    def turned(deg: float, zoom: float) -> Scene:
        c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
        kp = {k: (a.x + zoom * (c * (x - a.x) - s * (y - a.y)), a.y + zoom * (s * (x - a.x) + c * (y - a.y)))
              for k, (x, y) in face.keypoints.items()}
        return Scene(sc.frame, (Face(face.box, face.score, kp),))

    def centroid(img: np.ndarray) -> np.ndarray:
        ys, xs = np.nonzero(changed(img, frame("astronaut")))
        return np.array([xs.mean(), ys.mean()]), len(xs)

    (c0, n0) = centroid(draw(fx, turned(0, 1.0)))
    (c1, _) = centroid(draw(fx, turned(20, 1.0)))
    (_, n2) = centroid(draw(fx, turned(0, 0.7)))
    # Rolled 20 degrees clockwise on screen about the eyes: the crown swings to the right.
    assert c1[0] > c0[0] + 10
    assert n2 < n0 * 0.8


def test_sticker_smoothing_damps_jumps() -> None:
    sc = scene("astronaut")
    fx = effects.create("sticker", {"smoothing": "0.8"})
    face = sc.faces[0]
    moved = Face(face.box, face.score, {k: (x + 20, y) for k, (x, y) in face.keypoints.items()})
    first = draw(fx, sc)
    second = draw(fx, Scene(sc.frame, (moved,)))
    xs = np.nonzero(changed(first, frame("astronaut")))[1]
    xs2 = np.nonzero(changed(second, frame("astronaut")))[1]
    assert 0 < xs2.mean() - xs.mean() < 10  # moved, but only about 20 * (1 - 0.8) pixels


@pytest.mark.parametrize("character", ["ape", "robot", "cartoon"])
@pytest.mark.parametrize("name", ["grace_hopper", "two"])
def test_character_stays_inside_each_face_hull(character: str, name: str) -> None:
    sc = scene(name)
    out = draw(effects.create("character", {"character": character}), sc)
    diff = changed(out, frame(name), threshold=3)
    inside = np.zeros_like(diff)
    for mesh in sc.meshes:
        hull = hull_mask(mesh, diff.shape)
        inside |= hull_mask(mesh, diff.shape, grow=1)
        assert diff[hull].mean() > 0.5, "most of each face should be covered"
    assert not (diff & ~inside).any()


def test_beauty_smooths_skin_only_inside_the_face() -> None:
    sc = scene("grace_hopper")
    out = draw(effects.create("beauty", {"grade": "none", "glow": "0"}), sc)
    src = frame("grace_hopper")
    hull = hull_mask(sc.meshes[0], src.shape)
    assert not changed(out, src, threshold=2)[~hull_mask(sc.meshes[0], src.shape, grow=1)].any()
    # Wrinkled skin has lots of fine detail; smoothing removes much of it.
    def detail(img: np.ndarray) -> float:
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
        return float(np.abs(gray - cv2.GaussianBlur(gray, (0, 0), 2))[hull].mean())
    assert detail(out) < detail(src) * 0.8


def test_beauty_grade_changes_the_whole_picture() -> None:
    out = draw(effects.create("beauty", {"grade": "warm"}), empty_scene())
    src = frame("astronaut")
    assert out[..., 0].mean() > src[..., 0].mean() and out[..., 2].mean() < src[..., 2].mean()


def test_time_machine_animates_age_over_duration() -> None:
    fx = effects.create("timemachine", {"duration": "4"})
    assert fx.age_at(10.0) == 0.0
    assert 0.0 < fx.age_at(12.0) < 1.0
    assert fx.age_at(14.0) == 1.0 and fx.age_at(20.0) == 1.0
    looped = effects.create("timemachine", {"duration": "2", "loop": "true"})
    assert [round(looped.age_at(t), 3) for t in (0, 2, 4)] == [0.0, 1.0, 0.0]


def test_time_machine_greys_hair_and_keeps_away_from_background() -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    fx = effects.create("timemachine", {"duration": "0"})
    out = draw(fx, sc)
    assert np.array_equal(draw(effects.create("timemachine"), sc, t=0.0), src)  # age 0 at the start
    mesh = sc.meshes[0]
    hull = hull_mask(mesh, src.shape, grow=6)
    top = mesh.points[:, 1].min()
    hair = (sc.mask > 0.9) & ~hull
    hair[int(top):] = False                     # above the face only
    background = (sc.mask < 0.05) & ~hull_mask(mesh, src.shape, grow=12)  # the jaw may sag a little
    sat = cv2.cvtColor(out, cv2.COLOR_RGB2HSV)[..., 1].astype(float)
    sat0 = cv2.cvtColor(src, cv2.COLOR_RGB2HSV)[..., 1].astype(float)
    assert sat[hair].mean() < sat0[hair].mean() * 0.5, "hair should turn grey"
    assert not changed(out, src, threshold=2)[background].any()
    face = hull_mask(mesh, src.shape)
    assert changed(out, src, threshold=6)[face].mean() > 0.2, "wrinkles and sag should show on the face"


@pytest.mark.parametrize("name", FACE_EFFECTS)
def test_no_face_does_nothing_odd(name: str) -> None:
    fx = effects.create(name, {"grade": "none"} if name == "beauty" else
                        {"backdrop": "false"} if name == "kaiju" else {})
    sc = empty_scene()
    out = draw(fx, sc)
    if name == "kaiju":  # the monster still stands in the background, but no beam fires
        assert not fx.is_firing
    else:
        assert np.array_equal(out, frame("astronaut"))


@pytest.mark.parametrize("name", ["sticker", "character", "timemachine", "beauty"])
def test_every_face_gets_the_effect(name: str) -> None:
    sc = scene("two")
    out = draw(effects.create(name, {"duration": "0"} if name == "timemachine" else
                              {"grade": "none"} if name == "beauty" else {}), sc)
    diff = changed(out, frame("two"), threshold=4)
    assert len(sc.faces) == 2
    for face in sc.faces:
        x, y, w, h = (int(v) for v in face.box)
        region = diff[max(y - h, 0): y + h, max(x, 0): x + w]
        assert region.sum() > 0.05 * w * h, f"{name} should reach the face at {face.box}"
