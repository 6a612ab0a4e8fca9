"""Perception plus the current effect, as two pipeline stages that follow live effect switching.

Only the models the current effect ``needs`` run; switching effects moves
the ``PerceptionSwitch`` to the matching perception (built once per set of
needs, so switching back costs nothing).

>>> chain = EffectChain(config, "sticker", live=True)
>>> pipeline = Pipeline(source, stages=chain.stages, sinks=[display])
>>> chain.start(); ...; chain.carousel.next(); ...; chain.stop()
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from magicbooth.core.config import Config
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.effects.stage import EffectStage
from magicbooth.perception.switch import PerceptionSwitch

if TYPE_CHECKING:
    from magicbooth.effects.base import Effect
    from magicbooth.pipeline.flow import FramePass, Stage

log = logging.getLogger(__name__)


class _PerceptionStage:
    """The pipeline's perception stage: the switch's scene, with model timings under ``perception.*``."""

    name = "perception"

    def __init__(self, switch: PerceptionSwitch) -> None:
        self.switch = switch

    def __call__(self, work: FramePass) -> None:
        if self.switch.active is None:
            return
        work.scene = self.switch.scene(work.frame)
        for stage, ms in work.scene.timings.items():
            work.timings[f"{self.name}.{stage}"] = ms


class EffectChain:
    """Owns the effect carousel and the perception that feeds it."""

    def __init__(self, config: Config, effect: str | None = None, *, live: bool,
                 carousel: EffectCarousel | None = None) -> None:
        self.carousel = carousel or EffectCarousel.from_config(config.effects, start=effect)
        self.carousel.when_changed = self._switch
        self.perception = PerceptionSwitch(config, live=live)
        self.perception.use(self.carousel.needs)
        self._stages: list[Stage] = [_PerceptionStage(self.perception), EffectStage(self.carousel)]

    @property
    def stages(self) -> list[Stage]:
        return self._stages

    @property
    def effect_name(self) -> str:
        return self.carousel.name

    def start(self) -> None:
        """Start the model workers of the current effect (live mode)."""
        self.perception.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every model worker that was started."""
        self.perception.stop(timeout)

    def _switch(self, effect: Effect) -> None:
        log.info("effect: %s (needs %s)", effect.name, ", ".join(sorted(effect.needs)) or "no models")
        self.perception.use(effect.needs)
