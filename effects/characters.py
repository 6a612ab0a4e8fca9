"""The photographic face-swap characters in ``assets/`` (made by ``tools/character_art.py``).

``characters.json`` holds, per character, its title, photo file, how far its hue follows the
guest, and the extended head mesh located in the photo (our face mesh for people, hand-annotated
landmarks spread by a thin-plate spline for animals).
"""

from __future__ import annotations

import functools
import json

import numpy as np

from magicbooth.core.errors import EffectError
from magicbooth.effects import assets
from magicbooth.effects.faces import head_layout
from magicbooth.effects.faceswap import FaceSource

CHARACTERS = ("hopper", "cat")


@functools.cache
def table() -> dict[str, dict]:
    """Character name -> its entry in ``characters.json``."""
    return json.loads(assets.path("characters.json").read_text())


@functools.cache
def source(name: str) -> FaceSource:
    """The character ``name`` as a face to paste; EffectError if its asset is missing or malformed."""
    entry = table().get(name)
    if entry is None:
        raise EffectError(f"no character {name!r} in characters.json; regenerate with 'python tools/make_assets.py'")
    points = np.asarray(entry["points"], np.float32)
    if points.shape != (head_layout().size, 2):
        raise EffectError(f"character {name!r}: expected {head_layout().size} points, found {points.shape}; "
                          "regenerate with 'python tools/make_assets.py'")
    points.flags.writeable = False
    return FaceSource(assets.image(entry["image"]), points, float(entry["hue_follow"]))
