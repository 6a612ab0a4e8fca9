"""Magic-expression effects drawn with pygame.

Usage::

    from magicbooth import effects
    fx = effects.create("sticker", {"design": "crown"})
    fx.render(canvas, scene, t)          # canvas: pygame.Surface at frame size
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from magicbooth.effects.base import Effect
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.registry import available, create, describe, get

__all__ = ["Effect", "EffectOptions", "available", "create", "describe", "get"]
