"""Background and kaiju: what changes where the person mask is 0 or 1, and when the beam fires."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from magicbooth import effects
from magicbooth.core.errors import EffectError
from magicbooth.core.scene import Scene
from magicbooth.effects import assets
from magicbooth.effects.compose import fit
from tests.photos import changed, draw, empty_scene, frame, scene, with_mouth_opened


def interior(mask: np.ndarray, value: int, margin: int) -> np.ndarray:
    """Pixels where the mask is exactly ``value`` (0 or 1) and stays so for ``margin`` pixels around."""
    hard = (mask >= 0.999) if value else (mask <= 0.001)
    k = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    return cv2.erode(hard.astype(np.uint8), k).astype(bool)


@pytest.mark.parametrize("mode", ["blur", "image", "video"])
def test_background_changes_where_mask_is_0_and_not_where_it_is_1(mode: str) -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    plain = draw(effects.create("background", {"mode": mode, "light_wrap": "0", "harmonize": "0"}), sc, t=0.5)
    out = draw(effects.create("background", {"mode": mode}), sc, t=0.5)
    person = sc.mask >= 0.999
    assert person.sum() > 10000
    assert np.abs(plain.astype(int) - src)[person].max() <= 1      # plain alpha blending keeps the person
    inner = interior(sc.mask, 1, 40)                                 # light wrap reaches the edge only,
    shift = np.abs(out.astype(int) - src)[inner]                     # harmonising moves colours a little
    assert (shift.max() <= 1) if mode == "blur" else (shift.mean() < 15)
    away = interior(sc.mask, 0, 20)
    assert away.sum() > 10000
    if mode == "blur":  # flat wall stays flat; detail (flags, rocket) is what must go
        def detail(img: np.ndarray) -> float:
            return float(np.abs(cv2.Laplacian(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.CV_32F))[away].mean())
        assert detail(out) < detail(src) * 0.3
    else:
        assert changed(out, src, threshold=8)[away].mean() > 0.5
    if mode == "image":
        backdrop = fit(assets.image("construction_site.jpg"), (640, 480))
        assert np.abs(out.astype(int) - backdrop)[away].max() <= 1


def test_background_video_loops_over_time() -> None:
    fx = effects.create("background", {"mode": "video", "fps": "12"})
    sc = scene("astronaut")
    frames = len(assets.video("clouds.mp4"))
    a, b, c = (draw(fx, sc, t=t) for t in (0.0, 0.5, frames / 12))
    away = interior(sc.mask, 0, 20)
    assert changed(a, b)[away].any()
    assert np.array_equal(a, c)


def test_background_without_mask_is_the_frame() -> None:
    assert np.array_equal(draw(effects.create("background"), empty_scene()), frame("astronaut"))


def test_background_bad_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EffectError, match=r"cannot read image .*nope.png"):
        effects.create("background", {"mode": "image", "file": str(tmp_path / "nope.png")})


def kaiju(**options: str) -> effects.Effect:
    return effects.create("kaiju", {"backdrop": "false", "shake": "0", **options})


def beam(out: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Pixels the beam lit: much brighter and bluer than without it."""
    d = out.astype(int) - reference
    return (d.sum(axis=2) > 90) & (d[..., 2] > 30)


def test_beam_fires_only_while_the_mouth_is_open() -> None:
    closed = scene("astronaut")
    opened = with_mouth_opened(closed, 0.3)
    fx = kaiju()
    calm = draw(kaiju(), closed)                 # same monster, no beam
    # Mouth closed (MAR ~0.17 < 0.25): nothing fires.
    assert np.array_equal(draw(fx, closed, t=0.0), calm) and not fx.is_firing
    # Mouth open: a beam comes out of the mouth.
    lit = beam(draw(fx, opened, t=1 / 30), calm)
    assert fx.is_firing
    mouth = opened.meshes[0].points[[13, 14], :2].mean(0)
    ys, xs = np.nonzero(lit)
    assert len(xs) > 500
    assert np.hypot(xs - mouth[0], ys - mouth[1]).min() < 25, "the beam starts at the mouth"
    assert xs.max() > mouth[0] + 150, "and reaches far across the frame"
    # Closed again: the last particles fade within a second, then nothing more fires.
    for i in range(2, 40):
        last = draw(fx, closed, t=i / 30)
    assert not fx.is_firing
    assert not beam(last, calm).any()


def test_beam_needs_each_face_own_mouth() -> None:
    sc = scene("two")
    # Open only the left face (the astronaut).
    opened = with_mouth_opened(Scene(sc.frame, sc.faces[:1], sc.meshes[:1], sc.mask), 0.3)
    both = Scene(sc.frame, (opened.faces[0], sc.faces[1]), (opened.meshes[0], sc.meshes[1]), sc.mask)
    fx = kaiju()
    lit = beam(draw(fx, both, t=0.1), draw(kaiju(), sc))
    ys, xs = np.nonzero(lit)
    left_mouth = opened.meshes[0].points[[13, 14], :2].mean(0)
    right_mouth = sc.meshes[1].points[[13, 14], :2].mean(0)
    assert np.hypot(xs - left_mouth[0], ys - left_mouth[1]).min() < 25
    assert np.hypot(xs - right_mouth[0], ys - right_mouth[1]).min() > 20


def test_kaiju_stands_behind_the_person() -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    out = draw(kaiju(), sc)
    person = interior(sc.mask, 1, 40)  # beyond the reach of the monster's light on the person's edge
    assert person.sum() > 10000
    assert np.abs(out.astype(int) - src)[person].max() <= 1
    monster = changed(out, src) & interior(sc.mask, 0, 4)
    assert monster.sum() > 20000
    assert np.nonzero(monster)[1].mean() > 320, "the monster stands on the side away from the face"


def test_kaiju_shakes_only_while_firing() -> None:
    sc = with_mouth_opened(scene("astronaut"), 0.3)
    still = draw(effects.create("kaiju", {"shake": "0"}), sc, t=0.2)
    shaken = draw(effects.create("kaiju", {"shake": "8"}), sc, t=0.2)
    assert changed(still, shaken).mean() > 0.2
    calm = scene("astronaut")
    assert np.array_equal(draw(effects.create("kaiju", {"shake": "8"}), calm, t=0.2),
                          draw(effects.create("kaiju", {"shake": "0"}), calm, t=0.2))
