"""Perception plus the current effect, as two pipeline stages that follow live effect switching.

Only the models the current effect ``needs`` run. Switching to an effect
with other needs swaps in a ``Perception`` for those needs (built once per
set of needs and kept, so switching back costs nothing) and, in live mode,
moves the worker threads over.

>>> chain = EffectChain(config, "sticker", live=True)
>>> pipeline = Pipeline(source, stages=chain.stages, sinks=[display])
>>> chain.start(); ...; chain.carousel.next(); ...; chain.stop()
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from device.config import Config
from device.perception import Perception
from device.perception.stage import PerceptionStage
from effects.carousel import EffectCarousel
from effects.stage import EffectStage

if TYPE_CHECKING:
    from device.pipeline import FramePass, Stage
    from effects.base import Effect

log = logging.getLogger(__name__)


class _PerceptionSlot:
    """The pipeline's perception stage: delegates to the stage matching the current effect's needs."""

    name = "perception"

    def __init__(self) -> None:
        self.current: PerceptionStage | None = None

    def __call__(self, work: FramePass) -> None:
        if self.current is not None:
            self.current(work)


class EffectChain:
    """Owns the effect carousel and the perception that feeds it."""

    def __init__(self, config: Config, effect: str | None = None, *, live: bool,
                 carousel: EffectCarousel | None = None) -> None:
        self.config = config
        self.live = live
        self.carousel = carousel or EffectCarousel.from_config(config.effects, start=effect)
        self.carousel.when_changed = self._switch
        self._by_needs: dict[frozenset[str], PerceptionStage] = {}
        self._slot = _PerceptionSlot()
        self._effect = EffectStage(self.carousel)
        self._running = False
        self._slot.current = self._stage_for(self.carousel.needs)

    @property
    def stages(self) -> list[Stage]:
        return [self._slot, self._effect]

    @property
    def effect_name(self) -> str:
        return self.carousel.name

    def start(self) -> None:
        """Start the model workers of the current effect (live mode)."""
        self._running = True
        if self._slot.current is not None:
            self._slot.current.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every model worker that was started."""
        self._running = False
        for stage in self._by_needs.values():
            stage.stop(timeout)

    def _stage_for(self, needs: frozenset[str]) -> PerceptionStage | None:
        if not needs:
            return None
        key = frozenset(needs)
        if key not in self._by_needs:
            self._by_needs[key] = PerceptionStage(Perception(self.config, key), live=self.live)
        return self._by_needs[key]

    def _switch(self, effect: Effect) -> None:
        new = self._stage_for(effect.needs)
        old, self._slot.current = self._slot.current, new
        log.info("effect: %s (needs %s)", effect.name, ", ".join(sorted(effect.needs)) or "no models")
        if self._running and old is not new:
            if old is not None:
                old.stop()
            if new is not None:
                new.start()
