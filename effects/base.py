"""The ``Effect`` base class every effect module subclasses.

An effect draws one complete output picture for a ``Scene`` onto a pygame canvas the size of
the frame. It is pure: no camera, GPIO, network or clip files; assets come from
``effects.assets`` (loaded once per process). It may keep state between frames (smoothing,
particles), which ``reset()`` clears; given the same sequence of scenes it draws the same pictures.

Usage::

    fx = effects.create("sticker", {"design": "crown"})
    fx.render(canvas, scene, t)     # canvas: a pygame.Surface at frame size; t: scene time in seconds

Typed options: ``Effect`` is generic in its options class, so ``self.options`` has the effect's own
fields for the type checker. An effect names its nested ``Options`` as a string (the class body does
not exist yet when the base list is read)::

    class Kaiju(Effect["Kaiju.Options"]):
        @dataclasses.dataclass(frozen=True)
        class Options(EffectOptions):
            size: float = option(2.3, "...")

An effect without options subclasses ``Effect[EffectOptions]``.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Generic, TypeVar, cast

import pygame

from magicbooth.core.scene import Scene
from magicbooth.effects.options import EffectOptions

NEEDS = frozenset({"faces", "mesh", "mask"})
OptionsT = TypeVar("OptionsT", bound=EffectOptions)


class Effect(Generic[OptionsT]):
    """Base class. Subclasses set ``name``, ``title``, ``needs`` and usually a nested ``Options``.

    Subclasses must override ``render``. They may override ``reset`` when they keep state, and
    ``restart`` when they follow a timeline. Face effects set ``needs_face = True``.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    needs: ClassVar[frozenset[str]] = frozenset()
    # True for effects whose point is the guest's face: with no face in the frame they leave the
    # picture as it is (a grade at most), and the booth shows its "step closer" hint instead.
    # Effects that still show something without a face (a scene effect, a monster) leave it False.
    needs_face: ClassVar[bool] = False
    # The effect's options class; each subclass gets its own (below), named after the effect.
    Options: ClassVar[type[EffectOptions]] = EffectOptions
    options: OptionsT
    # Set by the pipeline's quality governor (``pipeline.governor``, level "light") while the booth runs short of
    # time or heat; True asks for a cheaper picture (fewer particles, a smaller blur, no second pass...).
    # An effect may honour it in ``render`` or ignore it: ignoring it is correct, only slower. It may change
    # between any two frames. The heavy effects honour it (effects/README.md, "Light pictures").
    light: bool = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not set(cls.needs) <= NEEDS:
            raise TypeError(f"{cls.__name__}.needs must be a subset of {sorted(NEEDS)}")
        cls.needs = frozenset(cls.needs)
        if "Options" not in cls.__dict__:  # give each effect its own class so ``effect`` is its name
            cls.Options = dataclasses.dataclass(frozen=True)(type("Options", (cls.Options,), {}))
        cls.Options.effect = cls.name

    def __init__(self, options: OptionsT | None = None) -> None:
        # ``Options`` is the subclass's own class, which is what ``OptionsT`` names.
        self.options = options if options is not None else cast(OptionsT, self.Options())

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        """Draw the picture for ``scene`` at time ``t`` (seconds) onto ``canvas``."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget state carried between frames (called when the effect is switched in)."""

    def restart(self) -> None:
        """The booth calls this when a clip starts recording, so timed effects start their timeline from zero.

        Default: nothing (effects without a timeline ignore it). Smoothing state is kept, unlike ``reset``.
        """

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.options}>"
