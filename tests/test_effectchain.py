"""Perception follows the current effect: only the models it needs run, also after live switching."""

from __future__ import annotations

from magicbooth.camera import open_source
from magicbooth.core.config import Config
from magicbooth.pipeline.effect_chain import EffectChain
from magicbooth.pipeline.flow import Pipeline


def test_only_needed_models_run_and_switching_swaps_them() -> None:
    config = Config()
    source = open_source("sample", config, realtime=False)
    chain = EffectChain(config, "sticker", live=False)
    pipeline = Pipeline(source, stages=chain.stages, live=False)
    pipeline.start()
    try:
        work = pipeline.process(pipeline.next_frame())
        assert "perception.detect" in work.timings and "perception.segment" not in work.timings
        assert work.scene is not None and len(work.scene.faces) == 1 and work.scene.mask is None

        chain.carousel.select("background")
        work = pipeline.process(pipeline.next_frame())
        assert "perception.segment" in work.timings and "perception.detect" not in work.timings
        assert work.scene is not None and work.scene.mask is not None and not work.scene.faces

        chain.carousel.select("none")
        work = pipeline.process(pipeline.next_frame())
        assert not any(name.startswith("perception.") for name in work.timings)
    finally:
        pipeline.stop()


def test_live_switch_moves_the_worker_threads() -> None:
    config = Config()
    chain = EffectChain(config, "sticker", live=True)
    chain.start()
    try:
        first = chain.perception.active
        assert first is not None and first.is_running and chain.perception.running_needs == {"faces", "mesh"}
        chain.carousel.select("background")
        second = chain.perception.active
        assert second is not first and second.is_running and not first.is_running
        chain.carousel.select("sticker")
        assert chain.perception.active is first and chain.perception.loaded == 2  # built once, reused
    finally:
        chain.stop()
    assert not second.is_running and chain.perception.running_needs == frozenset()
