"""Background: what changes where the person mask is 0 or 1."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from magicbooth import effects
from magicbooth.core.errors import EffectError
from magicbooth.effects import assets
from magicbooth.effects.compose import fit
from tests.photos import changed, draw, empty_scene, frame, scene


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
    with pytest.raises(EffectError, match=r"nope.png: no such file"):
        effects.create("background", {"mode": "image", "file": str(tmp_path / "nope.png")})
