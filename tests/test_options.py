"""One validator for option() fields: a config section and an effect's options obey the same rule and wording."""

from __future__ import annotations

import dataclasses

import pytest

from magicbooth.core.config import parse_config
from magicbooth.core.errors import ConfigError, EffectError
from magicbooth.core.options import option
from magicbooth.effects.options import EffectOptions


@dataclasses.dataclass(frozen=True)
class LikeCamera(EffectOptions):
    """An effect option declared exactly like ``[camera] fps`` and ``[booth] saved_s``."""

    effect = "like-camera"
    fps: int = option(30, "Requested frame rate.", low=1, high=120)
    saved_s: float = option(4.0, "How long the 'Saved' screen stays up.", low=0.5, high=60)
    mirror: bool = option(True, "Flip the preview left-right.")


def _expected(error: pytest.ExceptionInfo[Exception]) -> str:
    return str(error.value).split(": expected ", 1)[1]


@pytest.mark.parametrize(("config_text", "key", "bad"), [
    ("[camera]\nfps = 0\n", "fps", 0),
    ("[camera]\nfps = 121\n", "fps", 121),
    ("[camera]\nfps = 2.5\n", "fps", 2.5),
    ("[camera]\nfps = true\n", "fps", True),           # a bool is never a number
    ("[booth]\nsaved_s = 0.1\n", "saved_s", 0.1),
    ('[booth]\nsaved_s = "4"\n', "saved_s", "x4"),
    ("[display]\nmirror = 1\n", "mirror", 1),
])
def test_config_and_effect_options_reject_alike(config_text: str, key: str, bad: object) -> None:
    with pytest.raises(ConfigError) as from_config:
        parse_config(config_text, "f.toml")
    with pytest.raises(EffectError) as from_effect:
        LikeCamera(**{key: bad})
    assert _expected(from_config) == _expected(from_effect)


def test_wording_and_coercion_are_shared() -> None:
    with pytest.raises(EffectError, match=r"option fps=0: expected an integer from 1 to 120$"):
        LikeCamera.parse({"fps": "0"})
    with pytest.raises(ConfigError, match=r"\[camera\] fps = 0: expected an integer from 1 to 120$"):
        parse_config("[camera]\nfps = 0\n", "f.toml")
    # An integer for a float field becomes a float, in both.
    assert isinstance(parse_config("[booth]\nsaved_s = 4\n").booth.saved_s, float)
    assert isinstance(LikeCamera(saved_s=4).saved_s, float)
    assert LikeCamera.parse({"fps": " 25 ", "saved_s": "2", "mirror": "off"}) == LikeCamera(25, 2.0, False)
