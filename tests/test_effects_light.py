"""The light picture (``Effect.light``, the quality governor's level "light") of the heavy effects.

For each: light renders, differs from the normal picture yet stays close to it (the same effect,
plainer), may switch on and off between any two frames, and does less work. Work is counted
deterministically, not timed: every pixel OpenCV reads or writes in the drawing functions the
effects use (the arrays passed to and returned from them), summed over a few frames. Timing
belongs to ``tools/bench_effects.py --light``; Pi cost to ``tools/arm_count_effects.py --light``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from magicbooth import effects
from tests.photos import draw, stored_scene, with_mouth_opened

HEAVY = {
    "kaiju": {},
    "timemachine": {"duration": "0"},
    "background": {"mode": "blur"},
    "background-image": {"mode": "image"},
    "character": {"character": "hopper"},
    "swap": {},
    "beauty": {},
    "cartoon": {},
}
# Light must save at least this share of the counted pixel work. The ≥ 25 % target is judged on Pi instructions
# and CPU time (docs/architecture.md); this count leaves out numpy and per-shape work, so it shows less:
# measured savings 15-81 % (time machine 15 %, swap 17 %, kaiju 20 %).
SAVING = 0.10
# OpenCV's per-pixel functions the effects call (fills and small look-ups are left out: they are per shape).
COUNTED = ("resize", "GaussianBlur", "bilateralFilter", "blendLinear", "LUT", "addWeighted", "remap", "multiply",
           "add", "subtract", "absdiff", "cvtColor", "transform", "merge", "split", "convertScaleAbs", "max",
           "min", "erode", "dilate", "filter2D", "Laplacian", "inRange", "bitwise_and", "bitwise_not",
           "meanStdDev", "findNonZero", "connectedComponents", "sqrt", "scaleAdd")


def effect_name(case: str) -> str:
    return case.split("-")[0]


@functools.cache
def scene_for(case: str) -> object:
    sc = stored_scene("two")
    return with_mouth_opened(sc, 0.3) if case == "kaiju" else sc    # the kaiju fires


def frames(case: str, light: bool | list[bool], n: int = 24) -> list[np.ndarray]:
    """``n`` pictures of the still scene (the kaiju's roar builds up over them); ``light`` per frame or all."""
    fx = effects.create(effect_name(case), HEAVY[case])
    out = []
    for i in range(n):
        fx.light = light[i] if isinstance(light, list) else light
        out.append(draw(fx, scene_for(case), i / 30))
    return out


def pixel_work(case: str, light: bool, monkeypatch: pytest.MonkeyPatch, n: int = 12) -> int:
    """Array elements OpenCV's per-pixel functions read and write over ``n`` frames (after 12 to settle)."""
    fx = effects.create(effect_name(case), HEAVY[case])
    fx.light = light
    for i in range(12):
        draw(fx, scene_for(case), i / 30)
    total = [0]

    def counting(fn: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            result = fn(*args, **kwargs)
            for a in (*args, *kwargs.values(), *(result if isinstance(result, tuple) else (result,))):
                if isinstance(a, np.ndarray):
                    total[0] += a.size
            return result
        return call

    with monkeypatch.context() as m:
        for name in COUNTED:
            m.setattr(cv2, name, counting(getattr(cv2, name)))
        for i in range(12, 12 + n):
            draw(fx, scene_for(case), i / 30)
    return total[0]


@pytest.mark.parametrize("case", list(HEAVY))
def test_light_renders_a_plainer_picture_of_the_same_effect(case: str) -> None:
    normal, light = frames(case, False)[-1], frames(case, True)[-1]
    assert light.shape == normal.shape and light.dtype == np.uint8
    diff = np.abs(light.astype(np.int16) - normal.astype(np.int16))
    assert diff.max() > 0, f"{case}: light draws the same picture"
    original = scene_for(case).frame.image.astype(np.int16)
    effect_size = float(np.abs(normal.astype(np.int16) - original).mean())
    # Light stays much nearer the normal picture than the effect is from the camera picture.
    assert float(diff.mean()) < 0.5 * effect_size, (case, float(diff.mean()), effect_size)


@pytest.mark.parametrize("case", list(HEAVY))
def test_light_can_switch_between_any_two_frames(case: str) -> None:
    """On and off every frame, and in runs: each picture is close to the normal or light one of the same
    moment (no state breaks when it switches; smoothed state such as the kaiju's sparks or a swap's colour
    statistics may differ a little for a while)."""
    pattern = [i % 2 == 1 for i in range(10)] + [True] * 4 + [False] * 10
    mixed = frames(case, pattern)
    normal, light = frames(case, False), frames(case, True)
    for i, (got, on) in enumerate(zip(mixed, pattern, strict=True)):
        ref = light[i] if on else normal[i]
        gap = float(np.abs(got.astype(np.int16) - ref.astype(np.int16)).mean())
        assert gap < 2.5, (case, i, on, gap)
    assert float(np.abs(mixed[-1].astype(np.int16) - normal[-1].astype(np.int16)).mean()) < 0.5, case


@pytest.mark.parametrize("case", list(HEAVY))
def test_light_is_cheaper(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    normal = pixel_work(case, False, monkeypatch)
    light = pixel_work(case, True, monkeypatch)
    print(f"{case}: light {light:,} against normal {normal:,} pixels ({1 - light / normal:.0%} less)")
    assert light <= (1 - SAVING) * normal, f"{case}: light {light:,} against normal {normal:,} pixels"


def test_normal_is_untouched_by_a_light_instance() -> None:
    """``light`` is per effect instance: a light kaiju beside a normal one leaves the normal one's picture alone."""
    a, b = effects.create("kaiju"), effects.create("kaiju")
    b.light = True
    sc = scene_for("kaiju")
    for i in range(20):
        draw(b, sc, i / 30)
        pa = draw(a, sc, i / 30)
    ref = frames("kaiju", False, 20)[-1]
    assert np.array_equal(pa, ref)
