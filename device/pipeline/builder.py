"""The one place a frame path is wired: source -> capture -> perception -> effect -> sinks.

Every mode builds its pipeline here: the booth and headless service
(``modes/launch.py``), ``run --mode preview``, ``record``, ``render`` and the
benchmark's end-to-end run, so what ``bench`` measures is what the booth runs.

Usage::

    pipeline = build_pipeline(config, source="sample", effect="sticker")
    pipeline.add_sink(Display(config.display, watermark=pipeline.watermark).open(size))
    pipeline.run(stop_event)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from magicbooth.camera import open_source
from magicbooth.camera.base import FrameSource
from magicbooth.camera.reconnect import ReconnectingSource
from magicbooth.core.config import Config
from magicbooth.effects.base import Effect
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.effects.plain import Plain
from magicbooth.perception.switch import PerceptionSwitch
from magicbooth.pipeline.flow import Pipeline, Stage
from magicbooth.pipeline.governor import QualityGovernor
from magicbooth.pipeline.overlay import Watermark
from magicbooth.pipeline.stages import EffectStage, PerceptionStage

SourceSpec = str | Callable[[], FrameSource] | None


def build_pipeline(config: Config, *, source: SourceSpec = None, effects: Sequence[str] | None = None,
                   effect: str | None = None, options: Mapping[str, Mapping[str, Any]] | None = None,
                   live: bool | None = None, realtime: bool | None = None, loop: bool | None = None,
                   preload: bool = False, sinks: Sequence[Stage] = (),
                   catalog: Mapping[str, type[Effect]] | None = None) -> Pipeline:
    """Wire a pipeline (not started).

    ``source``: a spec (``auto``, ``sample``, ``webcam:1``, a file...; ``None`` is ``[camera] source``)
    or a factory of sources. ``effects``: the carousel's names (``None`` means ``[effects] carousel``);
    ``effect``: the one to start on (``None`` means ``[effects] default``). ``options`` per effect name.
    ``live`` defaults to the source's own nature (cameras and paced files are live). ``preload`` loads
    every carousel effect's models now (the booth, before it reports READY); otherwise models load
    when an effect first needs them. ``catalog`` replaces the effect registry (tests' own effects).
    """
    opener = _opener(config, source, realtime=realtime, loop=loop)
    first = opener()
    handed = [first]

    def reopen() -> FrameSource:   # the first source object is used once; a lost camera gets a fresh one
        return handed.pop() if handed else opener()

    live = first.is_live if live is None else live
    still = bool(getattr(first, "is_still", False))
    reconnecting = ReconnectingSource(reopen, max_backoff_s=config.camera.reopen_max_backoff_s)
    if effects is None:
        carousel = EffectCarousel.from_config(config.effects, start=effect)
    else:
        carousel = EffectCarousel(effects, start=effect, options=options, catalog=catalog)
    needs = [carousel.needs] if not preload else [carousel.needs_of(n) for n in carousel.names]
    switch = PerceptionSwitch(config, live=live, preload=[n for n in needs if n])
    watermark = Watermark(config.effects.watermark, applies=lambda: carousel.name != Plain.name)
    stages: list[Stage] = [PerceptionStage(switch, carousel, still=still), EffectStage(carousel)]
    governor = None
    if live:  # offline frames are always made at full quality, so renders stay deterministic
        governor = QualityGovernor(config.quality, target_fps=config.quality.target_fps)  # 0: the source's, at start
    return Pipeline(reconnecting, stages, sinks, live=live, stall_s=config.camera.timeout_s, carousel=carousel,
                    watermark=watermark, governor=governor)


def _opener(config: Config, source: SourceSpec, *, realtime: bool | None,
            loop: bool | None) -> Callable[[], FrameSource]:
    if callable(source):
        return source
    return lambda: open_source(source, config, realtime=realtime, loop=loop)
