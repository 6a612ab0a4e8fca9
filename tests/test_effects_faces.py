"""Face effects on real photos: each draws where it should, on every face, and nothing without faces."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from magicbooth import effects
from magicbooth.core.frames import Frame
from magicbooth.core.scene import FaceMesh, Scene
from magicbooth.effects.assets import face_model
from magicbooth.effects.faces import head_layout, head_pose
from tests.photos import changed, draw, empty_scene, frame, scene

FACE_EFFECTS = ("sticker", "character", "swap", "timemachine", "beauty", "kaiju")


def hull_mask(mesh: FaceMesh, shape: tuple[int, ...], grow: int = 0) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(mesh.points[:, :2]).astype(np.int32)), 1)
    if grow:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    return mask.astype(bool)


def rotated(mesh: FaceMesh, yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0,
            zoom: float = 1.0, shift: tuple[float, float] = (0.0, 0.0)) -> FaceMesh:
    """The mesh turned in 3D about its centre, in degrees: positive yaw turns the face to the image's right,
    positive pitch looks up, positive roll is clockwise on screen (applied in that order: pitch, yaw, roll)."""
    y, x, r = (math.radians(v) for v in (yaw, pitch, roll))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(-x), -math.sin(-x)], [0, math.sin(-x), math.cos(-x)]])
    rz = np.array([[math.cos(-r), -math.sin(-r), 0], [math.sin(-r), math.cos(-r), 0], [0, 0, 1]])
    flip = np.diag([1.0, -1.0, -1.0])                       # image axes (y down, z away) <-> y up, z towards us
    rot = flip @ rz @ ry @ rx @ flip
    p = mesh.points.astype(np.float64)
    c = p.mean(0)
    q = (p - c) @ rot.T * zoom + c + (*shift, 0)
    return FaceMesh(q.astype(np.float32), mesh.presence)


def with_meshes(sc: Scene, meshes: tuple[FaceMesh, ...]) -> Scene:
    return Scene(sc.frame, sc.faces, meshes, sc.mask)


@pytest.mark.parametrize(("yaw", "pitch", "roll"), [(0, 0, 0), (35, 0, 0), (-35, 0, 0), (0, 20, 0), (0, -20, 0),
                                                    (0, 0, 25), (30, 10, -15)])
def test_head_pose_recovers_turns(yaw: float, pitch: float, roll: float) -> None:
    mesh = scene("astronaut").meshes[0]
    base = head_pose(mesh)
    turned = head_pose(rotated(mesh, yaw, pitch, roll))
    got = np.degrees([turned.yaw - base.yaw, turned.pitch - base.pitch, turned.roll - base.roll])
    assert np.allclose(got, (yaw, pitch, roll), atol=6), got
    assert turned.scale == pytest.approx(base.scale, rel=0.02)


@pytest.mark.parametrize("design", ["bunny", "cat", "crown", "tophat"])
@pytest.mark.parametrize("name", ["astronaut", "two"])
def test_sticker_sits_on_each_head_and_nowhere_else(design: str, name: str) -> None:
    sc = scene(name)
    out = draw(effects.create("sticker", {"design": design}), sc)
    diff = changed(out, frame(name))
    assert diff.any()
    allowed = np.zeros_like(diff)
    for face, mesh in zip(sc.faces, sc.meshes, strict=True):
        x, y, w, h = face.box
        eyes = head_pose(mesh).y
        allowed[: int(eyes), max(int(x - w * 0.6), 0): int(x + w * 1.6)] = True
        above = diff[: int(y), max(int(x), 0): int(x + w)]
        assert above.sum() > w * h * 0.03, "the sticker should cover a good part of the space above the face"
    assert not (diff & ~allowed).any(), "nothing below the eyes or far beside the head"


def sticker_pixels(design: str, mesh: FaceMesh, sc: Scene) -> np.ndarray:
    fx = effects.create("sticker", {"design": design, "smoothing": "0"})
    return changed(draw(fx, with_meshes(sc, (mesh,))), sc.frame.image)


def test_sticker_follows_roll_scale_and_turn() -> None:
    sc = scene("astronaut")
    mesh = sc.meshes[0]

    def centroid(mask: np.ndarray) -> np.ndarray:
        ys, xs = np.nonzero(mask)
        return np.array([xs.mean(), ys.mean()])

    straight = sticker_pixels("tophat", mesh, sc)
    rolled = sticker_pixels("tophat", rotated(mesh, roll=20), sc)
    small = sticker_pixels("tophat", rotated(mesh, zoom=0.7), sc)
    # Rolled 20 degrees clockwise on screen: the hat swings to the right.
    assert centroid(rolled)[0] > centroid(straight)[0] + 10
    assert np.ptp(np.nonzero(small)[1]) < np.ptp(np.nonzero(straight)[1]) * 0.8
    # Turned: a different view of the model, not the frontal one moved (the brim is seen at an angle).
    for yaw in (40, -40):
        turned = sticker_pixels("tophat", rotated(mesh, yaw=yaw), sc)
        moved = np.roll(straight, round(float(centroid(turned)[0] - centroid(straight)[0])), axis=1)
        overlap = (turned & moved).sum() / max((turned | moved).sum(), 1)
        assert overlap < 0.85, f"yaw {yaw}: the turned hat should look different, overlap {overlap:.2f}"


def test_sticker_still_shows_when_the_head_top_is_out_of_frame() -> None:
    """Close-up: the head is so near that its top is above the frame; part of the sticker slides into view."""
    sc = scene("astronaut")
    mesh = sc.meshes[0]
    pose = head_pose(mesh)
    close = rotated(mesh, zoom=2.2, shift=(0, 1.6 * pose.scale))    # eyes at about a quarter of the height
    assert head_pose(close).y - 1.9 * head_pose(close).scale < 0, "the head top should be above the frame"
    for design in ("crown", "bunny", "tophat"):
        drawn = sticker_pixels(design, close, sc)
        assert drawn[:40].sum() > 300, f"{design}: part of it should show at the top of the frame"
        assert not drawn[int(head_pose(close).y):].any(), f"{design}: it must stay above the eyes"


def test_sticker_smoothing_damps_jumps() -> None:
    sc = scene("astronaut")
    fx = effects.create("sticker", {"smoothing": "0.8"})
    first = draw(fx, sc)
    second = draw(fx, with_meshes(sc, (rotated(sc.meshes[0], shift=(20, 0)),)))
    xs = np.nonzero(changed(first, frame("astronaut")))[1]
    xs2 = np.nonzero(changed(second, frame("astronaut")))[1]
    assert 0 < xs2.mean() - xs.mean() < 10  # moved, but only about 20 * (1 - 0.8) pixels


def head_mask(mesh: FaceMesh, shape: tuple[int, ...], grow: int = 0) -> np.ndarray:
    """The extended head mesh (hairline to chin, ear to ear) as a boolean mask."""
    ring = head_layout().extend(mesh.points)[468:, :2]
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(ring).astype(np.int32)], 1)
    if grow:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    return mask.astype(bool)


def eye_holes(mesh: FaceMesh, shape: tuple[int, ...], shrink: int = 2) -> np.ndarray:
    model = face_model()
    mask = np.zeros(shape[:2], np.uint8)
    for name in ("right_eye_0", "left_eye_0"):
        cv2.fillPoly(mask, [np.round(mesh.points[model.contour(name), :2]).astype(np.int32)], 1)
    kernel = np.ones((2 * abs(shrink) + 1,) * 2, np.uint8)
    return (cv2.erode(mask, kernel) if shrink >= 0 else cv2.dilate(mask, kernel)).astype(bool)


@pytest.mark.parametrize("character", ["hopper", "cat"])
@pytest.mark.parametrize("name", ["astronaut", "two"])
def test_character_covers_the_head_keeps_the_eyes_and_stays_inside(character: str, name: str) -> None:
    sc = scene(name)
    src = frame(name)
    out = draw(effects.create("character", {"character": character}), sc)
    diff = changed(out, src, threshold=3)
    inside = np.zeros_like(diff)
    for mesh in sc.meshes:
        face = hull_mask(mesh, diff.shape)
        band = head_mask(mesh, diff.shape) & ~face       # the ring: up to the hairline and the ears
        inside |= head_mask(mesh, diff.shape, grow=2)
        holes = eye_holes(mesh, diff.shape)
        assert diff[face & ~holes].mean() > 0.6, "most of the face should be the character's"
        assert diff[band].mean() > 0.3, "the blend should reach past the face outline"
        assert changed(out, src, threshold=12)[holes].mean() < 0.25, "the guest's own eyes show"
    assert not (diff & ~inside).any()


def face_mean(img: np.ndarray, mesh: FaceMesh) -> np.ndarray:
    return img[hull_mask(mesh, img.shape)].mean(0)


def test_character_follows_the_guests_light() -> None:
    """The same character under the guest's dim warm light comes out dim and warm too (colour transfer)."""
    sc = scene("astronaut")
    dim = Scene(Frame((frame("astronaut") * np.array([0.6, 0.48, 0.34])).astype(np.uint8), 0.0, 0), sc.faces,
                sc.meshes, sc.mask)
    mesh = sc.meshes[0]
    normal = face_mean(draw(effects.create("character"), sc), mesh)
    warm = face_mean(draw(effects.create("character"), dim), mesh)
    assert warm.sum() < normal.sum() * 0.65
    assert warm[0] / warm[2] > normal[0] / normal[2] * 1.3


def detail(img: np.ndarray, mask: np.ndarray) -> float:
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(gray - cv2.GaussianBlur(gray, (0, 0), 1.5))[mask].mean())


def test_swap_trades_the_two_faces() -> None:
    """Hopper's wrinkled skin moves onto the astronaut's face and the astronaut's smooth skin onto Hopper's."""
    sc = scene("two")
    src = frame("two")
    out = draw(effects.create("swap"), sc)
    left, right = sorted(sc.meshes, key=lambda m: float(m.points[:, 0].mean()))
    lm, rm = (hull_mask(m, src.shape) & ~eye_holes(m, src.shape, shrink=-4) for m in (left, right))
    assert detail(out, lm) > detail(src, lm) * 1.3
    assert detail(out, rm) < detail(src, rm) * 0.8


def test_swap_needs_two_faces() -> None:
    sc = scene("astronaut")
    assert np.array_equal(draw(effects.create("swap"), sc), frame("astronaut"))


def test_beauty_smooths_skin_only_on_the_head() -> None:
    sc = scene("grace_hopper")
    out = draw(effects.create("beauty", {"grade": "none", "glow": "0"}), sc)
    src = frame("grace_hopper")
    mesh = sc.meshes[0]
    width = float(np.ptp(mesh.points[:, 0]))
    assert not changed(out, src, threshold=2)[~head_mask(mesh, src.shape, grow=int(width * 0.2))].any()
    skin = hull_mask(mesh, src.shape) & ~eye_holes(mesh, src.shape, shrink=-int(width * 0.08))
    # Wrinkled skin has lots of fine detail; smoothing removes much of it.
    assert detail(out, skin) < detail(src, skin) * 0.8


def test_beauty_mask_has_no_seam() -> None:
    """Up the forehead, from the brows past where the face mesh ends, the smoothing weight fades, never steps.

    (The astronaut's forehead is bare skin well past the mesh's top; Hopper's hat starts right there.)
    """
    from magicbooth.effects.beauty import Beauty

    name = "astronaut"
    sc = scene(name)
    src = frame(name)
    mesh = sc.meshes[0]
    pts = head_layout().extend(mesh.points[:, :2])
    x0, y0 = np.maximum(np.floor(pts.min(0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(pts.max(0)).astype(int) + 1, (640, 480))
    weight = Beauty().skin_mask(np.ascontiguousarray(src[y0:y1, x0:x1]), pts - (x0, y0))
    cx = int((mesh.points[9, 0] - x0) / 2)
    column = weight[:, cx - 1: cx + 2].mean(1)
    top = int((mesh.points[10, 1] - y0) / 2)        # where the mesh ends on the forehead
    brow = int((mesh.points[9, 1] - y0) / 2)
    assert column[top] > 0.2, "the forehead at the mesh's top is smoothed"
    above = max(top - (brow - top) // 3, 0)         # a little past the mesh's end, still below the hair
    assert np.abs(np.diff(column[above:brow])).max() < 0.12, "no step in the weight"


@pytest.mark.parametrize("name", ["beauty", "cartoon"])
def test_beauty_and_cartoon_are_as_steady_as_the_camera(name: str) -> None:
    """On a still face with sensor noise, the output changes from frame to frame no more than the input."""
    from tools.effect_metrics import flicker

    sc = scene("astronaut")
    rng = np.random.default_rng(3)
    fx = effects.create(name)
    ins, outs = [], []
    for i in range(8):
        noisy = np.clip(frame("astronaut") + rng.normal(0, 2.5, frame("astronaut").shape), 0, 255).astype(np.uint8)
        ins.append(noisy)
        outs.append(draw(fx, Scene(Frame(noisy, i / 30, i), sc.faces, sc.meshes, sc.mask), t=i / 30))
    result = flicker(ins, outs)
    assert result.area > 0.02
    assert result.ratio <= 1.0, f"{name}: frame-to-frame change {result.ratio:.2f}x the camera's"


def test_beauty_grade_changes_the_whole_picture() -> None:
    out = draw(effects.create("beauty", {"grade": "warm"}), empty_scene())
    src = frame("astronaut")
    assert out[..., 0].mean() > src[..., 0].mean() and out[..., 2].mean() < src[..., 2].mean()


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


@pytest.mark.parametrize("name", ["sticker", "character", "swap", "timemachine", "beauty"])
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
