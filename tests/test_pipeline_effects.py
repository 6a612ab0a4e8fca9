"""Perception follows the current effect: only the models it needs run, also after live switching."""

from __future__ import annotations

from magicbooth.core.config import Config
from magicbooth.perception.switch import PerceptionSwitch
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.stages import PerceptionStage


def _switch(pipeline) -> PerceptionSwitch:
    return next(s for s in pipeline.stages if isinstance(s, PerceptionStage)).switch


def test_only_needed_models_run_and_switching_swaps_them() -> None:
    pipeline = build_pipeline(Config(), source="sample", effects=("sticker", "background", "none"),
                              effect="sticker", live=False, realtime=False)
    pipeline.start()
    try:
        work = pipeline.step()
        assert work is not None
        assert "perception.detect" in work.timings and "perception.segment" not in work.timings
        assert work.scene is not None and len(work.scene.faces) == 1 and work.scene.mask is None

        pipeline.carousel.select("background")
        work = pipeline.step()
        assert "perception.segment" in work.timings and "perception.detect" not in work.timings
        assert work.scene is not None and work.scene.mask is not None and not work.scene.faces

        pipeline.carousel.select("none")
        work = pipeline.step()
        assert not any(name.startswith("perception.") for name in work.timings)
    finally:
        pipeline.stop()


def test_live_switch_moves_the_worker_threads() -> None:
    pipeline = build_pipeline(Config(), source="sample", effects=("sticker", "background"), live=True)
    switch = _switch(pipeline)
    pipeline.start()
    try:
        first = switch.active
        assert first is not None and first.is_running and switch.running_needs == {"faces", "mesh"}
        pipeline.carousel.select("background")
        assert pipeline.step(2.0) is not None           # the next frame moves the models
        second = switch.active
        assert second is not first and second.is_running and not first.is_running
        pipeline.carousel.select("sticker")
        assert pipeline.step(2.0) is not None
        assert switch.active is first and switch.loaded == 2  # built once, reused
    finally:
        pipeline.stop()
    assert not second.is_running and switch.running_needs == frozenset()


def test_preload_loads_every_carousel_effect_before_the_first_frame() -> None:
    pipeline = build_pipeline(Config(), source="sample", effects=("none", "sticker", "background", "kaiju"),
                              preload=True, live=False, realtime=False)
    assert _switch(pipeline).loaded == 3   # {faces}, {mask}, {faces, mesh, mask}: "none" needs nothing
