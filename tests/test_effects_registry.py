"""Discovery, options validation, the effects listing and the carousel."""

from __future__ import annotations

import json

import pytest

from magicbooth import effects
from magicbooth.cli import main
from magicbooth.core.errors import EffectError
from magicbooth.effects.carousel import EffectCarousel

EXPECTED_NEEDS = {
    "background": ["mask"], "beauty": ["faces", "mesh"], "cartoon": [], "character": ["faces", "mesh"],
    "kaiju": ["faces", "mask", "mesh"], "none": [], "sticker": ["faces", "mesh"], "swap": ["faces", "mesh"],
    "timemachine": ["faces", "mask", "mesh"],
}


def test_discovery_finds_every_effect_module() -> None:
    table = effects.describe()
    assert {row["name"]: row["needs"] for row in table} == EXPECTED_NEEDS
    assert all(row["title"] for row in table)


def test_unknown_effect_lists_valid_names() -> None:
    with pytest.raises(EffectError, match=r"unknown effect 'nope'; valid effects: background, beauty"):
        effects.create("nope")


@pytest.mark.parametrize(("options", "message"), [
    ({"design": "hat"}, r"design='hat': expected one of bunny, cat, crown, tophat"),
    ({"scale": "big"}, r"scale=.big.: expected a number from 0.3 to 3$"),
    ({"scale": "9"}, r"scale=9.0: expected a number from 0.3 to 3$"),
    ({"colour": "red"}, r"has no option 'colour'; valid options: design, scale, smoothing"),
])
def test_bad_options_say_what_is_valid(options: dict[str, str], message: str) -> None:
    with pytest.raises(EffectError, match=message):
        effects.create("sticker", options)


def test_options_parse_types_and_are_frozen() -> None:
    fx = effects.create("kaiju", {"backdrop": "false", "shake": "3", "mouth_open": "0.4"})
    assert (fx.options.backdrop, fx.options.shake, fx.options.mouth_open) == (False, 3.0, 0.4)
    with pytest.raises(AttributeError):
        fx.options.shake = 1.0  # type: ignore[misc]
    with pytest.raises(EffectError, match="levels='x': expected an integer"):
        effects.create("cartoon", {"levels": "x"})


def test_each_effect_has_its_own_options_class() -> None:
    classes = effects.available()
    assert classes["none"].Options is not classes["cartoon"].Options
    assert classes["none"].Options.effect == "none"


def test_cli_effects_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effects", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == effects.describe()


def test_cli_effects_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effects"]) == 0
    out = capsys.readouterr().out
    lines = out.split("\n\n")[0].splitlines()   # the effects; then what the booth can see
    assert [line.split()[0] for line in lines] == sorted(EXPECTED_NEEDS)
    assert "\nfar faces: available — auto:" in out
    assert out.splitlines()[-1].startswith("gestures: ")  # the last line says whether hand gestures can run
    assert any(line.startswith("kaiju") and "needs: faces, mask, mesh" in line for line in lines)


def test_carousel_wraps_and_resets() -> None:
    seen = []
    carousel = EffectCarousel(["none", "sticker", "cartoon"], start="sticker")
    carousel.when_changed = lambda fx: seen.append(fx.name)
    assert carousel.name == "sticker" and carousel.needs == {"faces", "mesh"}
    assert carousel.next().name == "cartoon"
    assert carousel.next().name == "none"
    assert carousel.previous().name == "cartoon"
    assert carousel.select("sticker") is carousel.current
    assert seen == ["cartoon", "none", "cartoon", "sticker"]


def test_carousel_keys() -> None:
    import pygame

    carousel = EffectCarousel(["none", "sticker", "cartoon"])
    assert carousel.on_key(pygame.K_RIGHT) and carousel.name == "sticker"
    assert carousel.on_key(pygame.K_p) and carousel.name == "none"
    assert not carousel.on_key(pygame.K_a) and carousel.name == "none"


def test_carousel_rejects_unknown_names() -> None:
    with pytest.raises(EffectError, match="valid effects"):
        EffectCarousel(["none", "bogus"])
    with pytest.raises(EffectError, match="valid effects: none, cartoon"):
        EffectCarousel(["none", "cartoon"], start="sticker")


def test_carousel_from_config() -> None:
    from magicbooth.core.config import EffectsConfig

    c = EffectCarousel.from_config(EffectsConfig(default="kaiju", carousel=("sticker", "kaiju")))
    assert (c.names, c.name) == (("sticker", "kaiju"), "kaiju")
    c = EffectCarousel.from_config(EffectsConfig(carousel=("sticker", "kaiju")), start="cartoon")
    assert (c.names, c.name) == (("cartoon", "sticker", "kaiju"), "cartoon")
    assert EffectCarousel.from_config(EffectsConfig()).names == tuple(EXPECTED_NEEDS)
    with pytest.raises(EffectError, match="unknown effect 'bogus'"):
        EffectCarousel.from_config(EffectsConfig(), start="bogus")


def test_effect_stage_draws_into_the_pipeline_canvas() -> None:
    import numpy as np

    from magicbooth.pipeline.flow import FramePass
    from magicbooth.pipeline.stages import EffectStage
    from tests.photos import frame, scene

    sc = scene("astronaut")
    work = FramePass(sc.frame, np.array(frame("astronaut")), scene=sc)
    EffectStage(EffectCarousel(["cartoon"]))(work)
    assert work.canvas is not None
    assert np.abs(work.image.astype(int) - frame("astronaut")).mean() > 5  # drawn into the shared image


def test_face_effects_say_they_need_a_face() -> None:
    """The booth reads ``needs_face`` to show its "step closer" hint; scene effects leave it False."""
    table = effects.available()
    assert all(table[n].needs_face for n in ("sticker", "character", "swap", "beauty"))
    assert not any(table[n].needs_face for n in ("background", "cartoon", "none"))


def test_every_effect_accepts_restart() -> None:
    """The booth calls ``restart()`` when a clip starts recording; effects without a timeline ignore it."""
    for name in effects.available():
        fx = effects.create(name)
        assert fx.restart() is None
