"""Time machine: the timeline (preview cycles, a clip ages from 0), and what ageing changes where."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
import skimage.data

from magicbooth import effects
from magicbooth.core.frames import Frame
from magicbooth.core.scene import FaceMesh, Scene
from magicbooth.effects import ageing
from magicbooth.effects.assets import face_model
from tests.photos import _perception, changed, draw, frame, scene

COUNTER = (slice(380, 480), slice(0, 200))   # bottom-left corner, where the year counter is drawn


def hull(mesh: FaceMesh, shape: tuple[int, ...], grow: int = 0) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(mesh.points[:, :2]).astype(np.int32)), 1)
    if grow:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    return mask.astype(bool)


def aged(sc: Scene, years: int = 60, counter: bool = False) -> np.ndarray:
    fx = effects.create("timemachine", {"duration": "0", "years": str(years), "counter": str(counter)})
    return draw(fx, sc)


def test_a_clip_ages_from_zero_steadily_to_the_target_then_holds() -> None:
    fx = effects.create("timemachine", {"duration": "10", "years": "60"})
    fx.years_at(100.0)                                # the preview has been running
    fx.restart()                                      # the booth starts a clip
    assert fx.years_at(200.0) == 0.0
    assert fx.years_at(202.5) == pytest.approx(15.0)
    assert fx.years_at(205.0) == pytest.approx(30.0)
    assert fx.years_at(210.0) == 60.0 and fx.years_at(230.0) == 60.0
    assert fx.timeline_s == 10.0


def test_the_preview_cycles_young_old_young() -> None:
    fx = effects.create("timemachine", {"preview": "6", "years": "40"})
    ages = [fx.years_at(50.0 + k * 0.25) for k in range(48)]   # two cycles
    assert ages[0] == 0.0 and max(ages) == 40.0
    assert ages[24] == 0.0, "a new cycle starts young"
    rising = ages[:14]
    assert all(b >= a for a, b in itertools.pairwise(rising))
    fx.reset()
    assert fx.years_at(7.0) == 0.0


def test_the_recorded_clip_contains_the_whole_transformation() -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    fx = effects.create("timemachine", {"duration": "4"})
    draw(fx, sc, t=1.0)                               # preview frames before the clip...
    draw(fx, sc, t=3.0)
    fx.restart()
    first, mid, last = (draw(fx, sc, t=10.0 + dt) for dt in (0.0, 2.0, 4.0))
    away = np.ones(src.shape[:2], bool)
    away[COUNTER] = False
    assert not changed(first, src, threshold=0)[away].any(), "the clip starts young"
    face = hull(sc.meshes[0], src.shape)
    assert changed(last, src, threshold=6)[face].mean() > changed(mid, src, threshold=6)[face].mean() > 0.02
    assert changed(first, last)[COUNTER].any(), "the counter counts"


def test_hair_greys_entirely_and_the_background_stays() -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    out = aged(sc)
    mesh = sc.meshes[0]
    top = int(mesh.points[:, 1].min())
    hair = (sc.mask > 0.95) & ~hull(mesh, src.shape, grow=8)
    hair[top:] = False                                # the hair above the face
    assert hair.sum() > 3000
    sat = cv2.cvtColor(out, cv2.COLOR_RGB2HSV)[..., 1].astype(float)
    sat0 = cv2.cvtColor(src, cv2.COLOR_RGB2HSV)[..., 1].astype(float)
    greyed = sat[hair] < 0.5 * sat0[hair] + 2
    assert greyed.mean() > 0.85, f"only {greyed.mean():.0%} of the hair greyed: two-tone"
    background = (sc.mask < 0.02) & ~hull(mesh, src.shape, grow=20)
    assert not changed(out, src, threshold=2)[background].any(), "nothing glows into the background"


def test_a_neighbour_is_not_greyed() -> None:
    sc = scene("two")
    src = frame("two")
    only_left = Scene(sc.frame, sc.faces[:1], sc.meshes[:1], sc.mask)
    out = aged(only_left)
    right = sc.meshes[1]
    x0 = int(right.points[:, 0].min()) - 20
    near_right = np.zeros(src.shape[:2], bool)
    near_right[:, x0:] = True
    assert not changed(out, src, threshold=3)[near_right].any()


def test_eyebrows_grey() -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    out = aged(sc)
    model = face_model()
    brows = np.zeros(src.shape[:2], np.uint8)
    pts = sc.meshes[0].points[:, :2]
    for a, b in (("right_eyebrow_0", "right_eyebrow_1"), ("left_eyebrow_0", "left_eyebrow_1")):
        poly = np.concatenate([pts[model.contour(a)], pts[model.contour(b)][::-1]])
        cv2.fillPoly(brows, [np.round(poly).astype(np.int32)], 1)
    brows = brows.astype(bool)
    grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)[brows].astype(float)
    grey0 = cv2.cvtColor(src, cv2.COLOR_RGB2GRAY)[brows].astype(float)
    dark = grey0 < np.percentile(grey0, 30)           # the hairs, not the skin between them
    assert grey[dark].mean() > grey0[dark].mean() + 12


def test_wrinkles_are_relief_with_a_light_and_a_dark_side() -> None:
    sc = scene("astronaut")
    src = np.array(frame("astronaut"))
    out = src.copy()
    relief_only = ageing.Amounts(hair=0, brows=0, skin=0, spots=0, relief=1.0, sag=0)
    ageing.Ager()._relief(out, sc.meshes[0].points[:, :2].astype(np.float32), 180.0, relief_only)
    diff = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(int) - cv2.cvtColor(src, cv2.COLOR_RGB2GRAY)
    face = hull(sc.meshes[0], src.shape)
    lighter, darker = (diff[face] >= 4).mean(), (diff[face] <= -4).mean()
    assert lighter > 0.02 and darker > 0.02, (lighter, darker)
    assert not diff[~hull(sc.meshes[0], src.shape, grow=3)].any()


def test_jowls_sag_and_the_forehead_stays() -> None:
    sc = scene("grace_hopper")
    src = np.array(frame("grace_hopper"))
    out = src.copy()
    mesh = sc.meshes[0]
    ageing._sag(out, sc.mask, mesh.points[:, :2].astype(np.float32), ageing.Head.of(mesh), 1.0)
    pts = mesh.points[:, :2]
    jaw_y = int(pts[[172, 397], 1].mean())
    brow_y = int(pts[[105, 334], 1].mean())
    assert changed(out[jaw_y - 20:jaw_y + 20], src[jaw_y - 20:jaw_y + 20], threshold=10).mean() > 0.05
    assert not changed(out[:brow_y], src[:brow_y], threshold=0).any()
    # Below the jaw the skin was pulled down: rows there now look like rows above them did.
    x = int(pts[172, 0]) + 10
    col, col0 = out[:, x].astype(int), src[:, x].astype(int)
    shift = [np.abs(col[jaw_y: jaw_y + 30] - col0[jaw_y - s: jaw_y + 30 - s]).mean() for s in range(0, 12)]
    assert int(np.argmin(shift)) > 0


@pytest.mark.parametrize("years", [10, 30, 60])
def test_older_means_more_changed(years: int) -> None:
    sc = scene("grace_hopper")
    src = frame("grace_hopper")
    face = hull(sc.meshes[0], src.shape, grow=10)
    younger = changed(aged(sc, years // 2), src, threshold=6)[face].mean()
    older = changed(aged(sc, years), src, threshold=6)[face].mean()
    assert older > younger


def test_a_dark_hat_is_not_hair() -> None:
    """Grace Hopper's navy cap sits on her forehead: ageing greys hair, not hats."""
    sc = scene("grace_hopper")
    src = frame("grace_hopper")
    out = aged(sc)
    pts = sc.meshes[0].points[:, :2]
    top, width = pts[10], np.linalg.norm(pts[234] - pts[454])
    above = np.zeros(src.shape[:2], bool)                # above the forehead, across the face
    y, x = int(top[1]), int(top[0])
    above[max(y - int(0.6 * width), 0):y - int(0.05 * width), x - int(0.45 * width):x + int(0.45 * width)] = True
    grey0, grey = (cv2.cvtColor(i, cv2.COLOR_RGB2GRAY).astype(float) for i in (src, out))
    cap = above & (grey0 < 40) & (sc.mask > 0.9)         # the cap's navy cloth (not its white top or badge)
    assert cap.sum() > 3000
    assert grey[cap].mean() < grey0[cap].mean() + 6, f"the cap turned silver: {grey0[cap].mean():.0f} -> " \
        f"{grey[cap].mean():.0f}"
    assert (grey[cap] > 70).mean() < 0.02


def test_a_young_smooth_face_reads_clearly_older_at_sixty() -> None:
    """On the astronaut's smooth skin the face itself (not only the hair) changes visibly: relief, spots,
    duller skin, sagging, over much of the face."""
    sc = scene("astronaut")
    src = frame("astronaut")
    out = aged(sc)
    face = hull(sc.meshes[0], src.shape)
    grey, grey0 = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(int) for x in (out, src))
    assert changed(out, src, threshold=8)[face].mean() > 0.3
    # Wrinkles both lighten and darken: relief, not only a dimmer face.
    assert ((grey - grey0)[face] <= -8).mean() > 0.08 and ((grey - grey0)[face] >= 4).mean() > 0.01
    sat, sat0 = (cv2.cvtColor(x, cv2.COLOR_RGB2HSV)[..., 1][face].astype(float).mean() for x in (out, src))
    assert sat < 0.85 * sat0, "the skin dulls"


def test_no_rectangle_around_a_head() -> None:
    """Where the person mask is clear, the picture is untouched: no tint box around the head, on a colour
    picture or a black-and-white one (the cameraman in profile, where skin tint once showed as a rectangle)."""
    camera = cv2.cvtColor(cv2.resize(skimage.data.camera(), (640, 640))[80:560], cv2.COLOR_GRAY2RGB)
    for sc, src in ((scene("astronaut"), frame("astronaut")),
                    (_perception().process_still(Frame(np.ascontiguousarray(camera), 0.0, 0)), camera)):
        assert sc.meshes, "a face to age"
        out = aged(sc)
        # Clear of the person by a few pixels: the jowls' sag may move the jaw's own silhouette.
        clear = cv2.erode((sc.mask < 0.01).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
        assert np.abs(out.astype(int) - src)[clear].max() <= 1
        if src is camera:   # a grey picture stays grey: no warm cast on its skin
            assert np.abs(out[..., 0].astype(int) - out[..., 2])[~clear].max() <= 2
