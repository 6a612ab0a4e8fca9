"""Kaiju: the monster stands behind the guest on one side, roars a beam from its own mouth, calms down."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from magicbooth import effects
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Scene
from tests.photos import changed, draw, empty_scene, frame, scene, with_mouth_opened


def kaiju(**options: str) -> effects.Effect:
    return effects.create("kaiju", {"shake": "0", "grade": "false", **options})


def interior(mask: np.ndarray, value: int, margin: int) -> np.ndarray:
    hard = (mask >= 0.999) if value else (mask <= 0.001)
    return cv2.erode(hard.astype(np.uint8), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)).astype(bool)


def beam(out: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Pixels the beam lit: much brighter and bluer than without it."""
    d = out.astype(int) - reference
    return (d.sum(axis=2) > 90) & (d[..., 2] > 30)


def run(fx: effects.Effect, scenes: list[Scene], t0: float = 0.0) -> list[np.ndarray]:
    return [draw(fx, sc, t=t0 + i / 30) for i, sc in enumerate(scenes)]


def test_the_monster_stands_behind_the_guest_on_the_free_side() -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    out = draw(kaiju(), sc)
    person = sc.mask >= 0.999
    assert np.abs(out.astype(int) - src)[person].max() <= 1, "the guest is in front, untouched"
    monster = changed(out, src) & interior(sc.mask, 0, 4)
    assert monster.sum() > 20000
    face_x = sc.faces[0].box[0] + sc.faces[0].box[2] / 2
    assert (np.nonzero(monster)[1].mean() > 320) == (face_x < 320), "away from the guest"


def test_it_keeps_its_side_when_the_guest_crosses_the_middle() -> None:
    sc = scene("astronaut")
    fx = kaiju()
    sides = []
    for i, dx in enumerate(np.linspace(-150, 250, 24)):
        faces = tuple(dataclasses.replace(f, box=(f.box[0] + dx, *f.box[1:])) for f in sc.faces)
        draw(fx, Scene(sc.frame, faces, sc.meshes, sc.mask), t=i / 30)
        sides.append(fx.side)
    assert len(set(sides)) == 1
    fx.restart()                                      # a new clip may choose afresh
    assert fx.side is None


def test_a_roar_makes_the_monster_breathe_from_its_own_mouth_then_calm() -> None:
    closed = scene("astronaut")
    opened = with_mouth_opened(closed, 0.3)
    calm = draw(kaiju(), closed)
    fx = kaiju()
    frames = run(fx, [closed] * 3 + [opened] * 30)
    assert fx.is_firing
    mouth = np.array(fx.mouth)
    lit = beam(frames[-1], calm)
    ys, xs = np.nonzero(lit)
    assert len(xs) > 2000
    assert np.hypot(xs - mouth[0], ys - mouth[1]).min() < 30, "the beam leaves the monster's mouth"
    guest_mouth = opened.meshes[0].points[[13, 14], :2].mean(0)
    near_guest = np.hypot(xs - guest_mouth[0], ys - guest_mouth[1]) < 40
    assert near_guest.mean() < 0.02, "not the guest's"
    assert abs(xs.min() - mouth[0]) > 250, "it reaches far across the picture"
    # Mouth closed again: it fires on briefly, then calms; the last sparks fade.
    later = run(fx, [closed] * 60, t0=2.0)
    assert not fx.is_firing
    assert not beam(later[-1], calm).any()


def test_the_beam_lights_the_scene_blue() -> None:
    closed = scene("astronaut")
    opened = with_mouth_opened(closed, 0.3)
    calm = draw(kaiju(), closed).astype(float)
    fx = kaiju()
    lit = run(fx, [opened] * 25)[-1].astype(float)
    person = closed.mask >= 0.999
    gain = (lit - calm)[person].mean(axis=0)       # light falls on the guest too
    assert gain[2] > 2 and gain[2] > gain[0]


def test_shakes_only_while_firing() -> None:
    opened = with_mouth_opened(scene("astronaut"), 0.3)
    still = run(effects.create("kaiju", {"shake": "0"}), [opened] * 20)[-1]
    shaken = run(effects.create("kaiju", {"shake": "8"}), [opened] * 20)[-1]
    assert changed(still, shaken).mean() > 0.2
    calm = scene("astronaut")
    assert np.array_equal(draw(effects.create("kaiju", {"shake": "8"}), calm, t=0.2),
                          draw(effects.create("kaiju", {"shake": "0"}), calm, t=0.2))


def test_without_a_face_it_still_stands_in_the_scene() -> None:
    sc = empty_scene("grace_hopper")
    fx = kaiju()
    out = draw(fx, sc)
    assert changed(out, frame("grace_hopper")).mean() > 0.08
    assert not fx.is_firing


def test_it_breathes_while_idle() -> None:
    sc = scene("astronaut")
    fx = kaiju()
    a, b = draw(fx, sc, t=0.0), draw(fx, sc, t=1.5)
    assert changed(a, b, threshold=6).sum() > 300


def test_the_monster_takes_the_colour_of_the_room() -> None:
    """The same monster over a warm and a cool room comes out warmer and cooler."""
    def monster_colour(rgb: tuple[int, int, int]) -> np.ndarray:
        room = np.full((480, 640, 3), rgb, np.uint8)
        room.flags.writeable = False
        out = draw(kaiju(haze="0"), Scene(Frame(room, 0.0, 0)))
        where = changed(out, room, threshold=20)
        return out[where].mean(axis=0)

    warm, cool = monster_colour((200, 150, 100)), monster_colour((100, 150, 200))
    assert warm[0] - warm[2] > cool[0] - cool[2] + 10


def test_one_grade_for_the_whole_shot() -> None:
    sc = scene("astronaut")
    src = frame("astronaut")
    graded = draw(effects.create("kaiju", {"shake": "0"}), sc)
    person = sc.mask >= 0.999
    assert changed(graded, src, threshold=2)[person].mean() > 0.2, "the guest is graded with the room"


def test_the_monster_takes_the_grain_of_the_camera() -> None:
    """Filmed by the same camera: over a noisy room the monster is as grainy as the room, over a clean one clean."""
    from magicbooth.effects.compositing import noise_sigma

    def monster_noise(sigma: float) -> float:
        rng = np.random.default_rng(5)
        room = np.clip(150 + rng.normal(0, sigma, (480, 640, 3)), 0, 255).astype(np.uint8)
        out = draw(kaiju(haze="0"), Scene(Frame(room, 0.0, 0)))
        where = changed(out, room, threshold=40)
        ys, xs = np.nonzero(where)
        y, x = int(np.median(ys)), int(np.median(xs))
        return noise_sigma(out[y - 40:y + 40, x - 40:x + 40], crop=80)

    assert monster_noise(6.0) > monster_noise(0.0) + 3
