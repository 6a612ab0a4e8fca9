"""NaN and infinities are refused wherever a number is read: config, effect options, command-line flags.

``nan`` slips through every range check written with ``<`` and ``>``; ``[storage] min_free_mb = nan``
would silently turn the disk guard off.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_clip

from magicbooth.cli import main
from magicbooth.core.config import parse_config
from magicbooth.core.errors import ConfigError, EffectError
from magicbooth.core.options import check
from magicbooth.effects import get as get_effect


@pytest.mark.parametrize("word", ["nan", "+nan", "-nan", "inf", "+inf", "-inf"])
@pytest.mark.parametrize(("section", "key"), [
    ("storage", "min_free_mb"), ("recorder", "keyframe_interval_s"), ("recorder", "pre_roll_s"),
    ("bench", "cpu_ms_target"),   # only a lower limit: inf passed it
    ("booth", "idle_timeout_s"),
])
def test_config_refuses_nan_and_infinity(section: str, key: str, word: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(f"[{section}]\n{key} = {word}\n", "f.toml")
    assert f"f.toml: [{section}] {key} = " in str(err.value)
    assert "expected a finite number" in str(err.value)


def test_lists_of_numbers_refuse_nan_too() -> None:
    meta = {"low": 0, "high": 10}
    assert check(tuple[float, float], meta, [1, 2.5], "pair", ValueError) == (1.0, 2.5)
    with pytest.raises(ValueError, match=r"^pair: expected a list of 2 finite numbers from 0 to 10$"):
        check(tuple[float, float], meta, [1.0, float("nan")], "pair", ValueError)


@pytest.mark.parametrize("word", ["nan", "inf", "-inf", "NaN", "Infinity"])
def test_effect_options_refuse_nan_and_infinity(word: str) -> None:
    effect = get_effect("sticker")
    numeric = next(o["name"] for o in effect.Options.describe() if isinstance(o["default"], float))
    with pytest.raises(EffectError, match="finite"):
        effect.Options.parse({numeric: word})


@pytest.fixture
def setup(tmp_path: Path) -> str:
    video = write_clip(tmp_path / "in.mp4", 30)
    cfg = tmp_path / "magicbooth.toml"
    cfg.write_text(f'[camera]\nsource = "{video}"\nrealtime = false\nloop = false\n'
                   f'[storage]\nclips_dir = "{tmp_path / "clips"}"\nmin_free_mb = 0\nlow_free_mb = 0\n')
    return str(cfg)


@pytest.mark.parametrize(("flag", "word"), [
    ("--seconds", "nan"), ("--seconds", "inf"), ("--pre-roll", "nan"), ("--pre-roll", "inf"),
])
def test_record_flags_refuse_nan_and_infinity(setup: str, flag: str, word: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--config", setup, "record", flag, word])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert f"{flag} {word}" in err or f"argument {flag}" in err
    assert "Traceback" not in err


def test_record_pre_roll_above_its_limit_blames_the_flag(setup: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--config", setup, "record", "--pre-roll", "1000"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "--pre-roll" in err and "1000" in err and "30" in err
    assert "built-in defaults" not in err
