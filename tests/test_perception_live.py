"""Scene assembly: only the needed models, offline order, live workers with newest-wins."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from magicbooth.core.config import Config
from magicbooth.core.errors import EffectError, WorkerError
from magicbooth.core.frames import Frame
from magicbooth.perception import Perception
from magicbooth.perception.workers import ModelWorker
from tests.perception_helpers import moving_face_clip


def test_only_needed_models_load() -> None:
    mask_only = Perception(Config(), {"mask"})
    assert mask_only.detector is None and mask_only.tracker is None and mask_only.segmenter is not None
    mesh = Perception(Config(), {"mesh"})
    assert mesh.needs == {"faces", "mesh"} and mesh.segmenter is None
    with pytest.raises(EffectError, match="unknown perception needs"):
        Perception(Config(), {"faces", "hands"})


def test_offline_scene_and_timings() -> None:
    frames, _ = moving_face_clip(4)
    perception = Perception(Config(), {"faces", "mask"})
    scene = perception.process(frames[0])
    assert scene.frame is frames[0] and len(scene.faces) == 1 and scene.meshes == ()
    assert scene.mask is not None and scene.mask.shape == (480, 640)
    assert set(scene.timings) == {"detect", "segment"} and all(v > 0 for v in scene.timings.values())


def test_lores_stream_is_scaled_to_frame_pixels() -> None:
    frames, _ = moving_face_clip(2)
    full = Perception(Config(), {"faces"}).process(frames[1]).faces[0]
    small = frames[1].image[::2, ::2].copy()
    half = Perception(Config(), {"faces"}).process(Frame(frames[1].image, frames[1].t, 1, lores=small)).faces[0]
    assert np.allclose(full.box, half.box, atol=0.1 * full.box[2])  # a 2× scale bug would be far off


def test_live_workers_newest_wins() -> None:
    frames, _ = moving_face_clip(30)
    with Perception(Config(), {"faces", "mesh", "mask"}) as perception:
        perception.start()
        assert perception.is_running
        for f in frames:  # paced like a camera slower than the models
            perception.submit(f)
            assert perception.wait_for(f.index, timeout=20)
        scene = perception.scene_for(frames[-1])
    assert not perception.is_running
    assert len(scene.faces) == 1 and len(scene.meshes) == 1
    assert scene.mask is not None and scene.mask.shape == (480, 640)
    assert {"detect", "landmarks", "segment"} <= set(scene.timings)


def test_worker_drops_stale_frames_and_reports_stuck_thread() -> None:
    release = threading.Event()
    started = threading.Event()

    def step(frame: Frame) -> int:
        started.set()
        release.wait(5)
        return frame.index

    worker: ModelWorker[int] = ModelWorker("stuck", step)
    worker.start()
    frames = [Frame(np.zeros((4, 4, 3), np.uint8), i / 30, i) for i in range(3)]
    worker.submit(frames[0])
    assert started.wait(5)
    worker.submit(frames[1])
    worker.submit(frames[2])  # replaces frame 1, which is never processed
    assert worker.dropped == 1 and worker.latest is None
    with pytest.raises(WorkerError, match="did not stop"):
        worker.stop(timeout=0.1)
    release.set()
    worker.stop(timeout=5)
    assert worker.latest == 0 and not worker.is_alive


def test_stage_in_offline_pipeline_gives_every_frame_a_scene() -> None:
    from magicbooth.pipeline.builder import build_pipeline
    from magicbooth.pipeline.stages import PerceptionStage

    pipeline = build_pipeline(Config(), source="sample", effects=("kaiju",), live=False, realtime=False, loop=False)
    stage = next(s for s in pipeline.stages if isinstance(s, PerceptionStage))
    scenes = []
    pipeline.when_frame = lambda work: scenes.append(work.scene)
    stats = pipeline.run(max_frames=20)
    assert stats.frames == 20 and len(scenes) == 20
    assert all(len(s.meshes) == 1 and s.mask is not None for s in scenes)
    assert "perception.landmarks" in stats.stage_ms
    assert stage.switch.active is not None and stage.switch.active.detector.calls < 5  # tracked, not re-detected


def test_switching_needs_loads_once_and_restarts_workers() -> None:
    frames, _ = moving_face_clip(6)
    perception = Perception(Config(), {"mask"})
    segmenter = perception.segmenter
    perception.set_needs({"mesh"})
    assert perception.segmenter is None and perception.tracker is not None
    assert len(perception.process(frames[0]).meshes) == 1
    perception.set_needs({"mask", "faces"})
    assert perception.segmenter is segmenter and perception.tracker is None  # kept, not reloaded
    perception.start()
    try:
        perception.set_needs({"faces"})
        assert perception.is_running and perception.worker_names == ("detect",)
        perception.submit(frames[1])
        assert perception.wait_for(1, timeout=10)
        assert len(perception.scene_for(frames[1]).faces) == 1
    finally:
        perception.stop()
