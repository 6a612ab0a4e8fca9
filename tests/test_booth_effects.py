"""The booth's carousel on the real effects and models: perception follows the active effect; clips are marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from magicbooth.core.config import Config, parse_config
from magicbooth.perception.switch import PerceptionSwitch
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.flow import FramePass, Pipeline
from magicbooth.pipeline.stages import PerceptionStage

SMALL = "[camera]\nsize = [320, 240]\n"


def booth_pipeline(config: Config, effects: tuple[str, ...]) -> Pipeline:
    return build_pipeline(config, source="sample", effects=effects, live=True, realtime=False, preload=True)


def switch_of(pipeline: Pipeline) -> PerceptionSwitch:
    return next(s for s in pipeline.stages if isinstance(s, PerceptionStage)).switch


def test_only_the_active_effects_perception_runs(screen: pygame.Surface) -> None:
    pipeline = booth_pipeline(parse_config(SMALL), ("sticker", "background", "none"))
    switch = switch_of(pipeline)
    assert switch.loaded == 2                      # every carousel effect's models, before the first frame
    pipeline.start()
    try:
        assert pipeline.carousel.name == "sticker" and pipeline.carousel.titles[0]
        for _ in range(4):
            assert pipeline.step(2.0) is not None
        assert switch.running_needs == {"faces", "mesh"}
        pipeline.carousel.select("background")
        pipeline.step(2.0)
        assert switch.running_needs == {"mask"}
        pipeline.carousel.select("none")
        pipeline.step(2.0)
        assert switch.running_needs == frozenset()
    finally:
        pipeline.stop()
    assert switch.running_needs == frozenset()


class Keep:
    """A sink that keeps the recorder's view of each frame: what ``RecordSink`` would push."""

    name = "keep"

    def __init__(self, pipeline: Pipeline) -> None:
        from magicbooth.pipeline.sinks import RecordSink

        self.pushed: list[np.ndarray] = []
        self.sink = RecordSink(self, live=False, watermark=pipeline.watermark)  # type: ignore[arg-type]
        self.fps = 30

    def push(self, image: np.ndarray, t: float) -> None:
        self.pushed.append(image)

    def __call__(self, work: FramePass) -> None:
        self.sink(work)


def test_watermark_goes_into_effect_clips_but_not_the_plain_camera(tmp_path: Path) -> None:
    pipeline = build_pipeline(parse_config(SMALL), source="sample", effects=("none", "cartoon"), live=False,
                              realtime=False)
    keep = Keep(pipeline)
    pipeline.add_sink(keep)
    pipeline.start()
    try:
        plain = pipeline.step()
        pipeline.carousel.select("cartoon")
        cartoon = pipeline.step()
    finally:
        pipeline.stop()
    assert plain is not None and cartoon is not None
    assert np.array_equal(keep.pushed[0], plain.image)            # the plain camera is recorded as it is
    assert not np.array_equal(keep.pushed[1], cartoon.image)      # the effect's clip carries the watermark
    corner = np.abs(keep.pushed[1].astype(int) - cartoon.image)[-40:, -120:].sum()
    assert corner > 0 and np.array_equal(keep.pushed[1][:100], cartoon.image[:100])   # bottom-right only
    unmarked = build_pipeline(parse_config(SMALL + '[effects]\nwatermark = ""\n'), source="sample",
                              effects=("cartoon",), live=False, realtime=False)
    assert not unmarked.watermark.is_shown
