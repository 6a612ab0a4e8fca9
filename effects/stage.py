"""The pipeline stage that draws the current effect (the glue between ``magicbooth.pipeline.flow`` and effects).

>>> stage = EffectStage(EffectCarousel.from_config(config.effects, start=args.effect))
>>> Pipeline(source, stages=[perception_stage, stage], sinks=[display])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from magicbooth.core.scene import Scene
from magicbooth.effects.carousel import EffectCarousel

if TYPE_CHECKING:
    from magicbooth.pipeline.flow import FramePass


class EffectStage:
    """Renders ``carousel.current`` onto the frame's canvas; the scene defaults to "nothing found"."""

    name = "effect"

    def __init__(self, carousel: EffectCarousel) -> None:
        self.carousel = carousel

    def __call__(self, work: FramePass) -> None:
        from magicbooth.pipeline.display import ensure_canvas

        scene = work.scene if work.scene is not None else Scene(work.frame)
        self.carousel.current.render(ensure_canvas(work), scene, work.frame.t)
