"""What each quality level changes in a live pipeline (levels pinned, so nothing depends on timing), and where the
level shows: the HUD, the log and the clip's sidecar."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import pygame
import pytest
from _modes_support import SyntheticCamera

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Face, FaceMesh, Scene
from magicbooth.effects.base import Effect
from magicbooth.perception import Perception
from magicbooth.perception.quality import PerceptionQuality
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.display import hud_lines
from magicbooth.pipeline.governor import LEVELS
from magicbooth.pipeline.sinks import RecordSink
from magicbooth.pipeline.stages import half_scene
from magicbooth.recording.recorder import Recorder
from tests.perception_helpers import astronaut, frame


class Probe(Effect):
    """Notes what it was asked to draw: canvas size and whether the light variant was wanted."""

    name = "probe"
    title = "probe"
    seen: ClassVar[list[tuple[tuple[int, int], bool]]] = []

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        Probe.seen.append((canvas.get_size(), self.light))
        canvas.fill((200, 10, 10))


def probe_pipeline(size: tuple[int, int] = (640, 480)):
    Probe.seen.clear()
    camera = SyntheticCamera(size)
    return build_pipeline(Config(), source=lambda: camera, effects=("probe",), live=True,
                          catalog={"probe": Probe})


def test_live_pipelines_have_a_governor_and_offline_ones_never_do() -> None:
    pipeline = probe_pipeline()
    assert pipeline.governor is not None and pipeline.quality == LEVELS[0]
    offline = build_pipeline(Config(), source="sample", effects=("none",), live=False, realtime=False)
    assert offline.governor is None and offline.quality is None


def test_effect_levels_light_then_half_resolution_scaled_back_up() -> None:
    pipeline = probe_pipeline()
    with pipeline:
        assert pipeline.governor is not None
        for number in (0, 3, 5):
            pipeline.governor.pin(number)
            work = pipeline.step(2.0)
            assert work is not None and work.quality == number
        assert Probe.seen == [((640, 480), False), ((640, 480), True), ((320, 240), True)]
        assert work.image.shape == (480, 640, 3) and (work.image[240, 320] == (200, 10, 10)).all()


def test_half_scene_scales_everything_alike() -> None:
    image = np.zeros((480, 640, 3), np.uint8)
    points = np.array([[100.0, 50.0, 20.0]] * 468, np.float32)
    scene = Scene(Frame(image, 1.0, 7), (Face((100, 40, 80, 60), 0.9, {"nose_tip": (140.0, 70.0)}),),
                  (FaceMesh(points),), np.ones((480, 640), np.float32))
    half = half_scene(scene, np.zeros((240, 320, 3), np.uint8))
    assert half.frame.size == (320, 240) and half.frame.index == 7
    assert half.faces[0].box == (50, 20, 40, 30) and half.faces[0].keypoints["nose_tip"] == (70.0, 35.0)
    assert half.meshes[0].points[0].tolist() == [50.0, 25.0, 10.0]
    assert half.mask is not None and half.mask.shape == (240, 320)


def test_perception_levels_mask_every_2nd_frame_and_fewer_threads() -> None:
    # mask_still_frames=0: the still test picture would otherwise keep its first mask (nothing moved)
    config = Config().replace("inference", threads=2).replace("perception", mask_still_frames=0)
    perception = Perception(config, {"mask"})
    assert perception.segmenter is not None and perception.segmenter.options.every == 1
    perception.set_quality(LEVELS[4].perception)
    assert perception.segmenter.options.every == 2
    picture = cv2.resize(astronaut(), (640, 480))
    for i in range(6):
        perception.process(frame(picture, i))
    assert perception.segmenter.calls == 3
    models = list(perception.segmenter._models.values())
    assert models and all(m.threads == 1 and m.model.threads == 1 for m in models)
    perception.set_quality(PerceptionQuality())
    perception.process(frame(picture, 6))
    assert all(m.model.threads == 2 for m in models)   # back to the configured interpreter (kept loaded)


def test_mesh_every_2nd_frame_in_the_live_workers() -> None:
    picture = cv2.resize(astronaut(), (640, 480))

    def landmark_calls(quality: PerceptionQuality) -> int:
        # mesh_reuse=0: on the still test picture the last mesh would otherwise be carried instead of run
        perception = Perception(Config().replace("perception", max_faces=1, mesh_reuse=0), {"mesh"})
        perception.set_quality(quality)
        assert perception.tracker is not None
        perception.start()
        try:
            for i in range(16):
                if i == 8:   # by now the face is tracked (the first frames may pass before the detector's rows)
                    assert perception.tracker.count == 1
                    before = perception.tracker.landmarker.calls
                perception.submit(frame(picture, i))
                assert perception.wait_for(i, 10.0)
            assert perception.scene_for(frame(picture, 16)).meshes   # the newest meshes stand in between
        finally:
            perception.stop()
        return perception.tracker.landmarker.calls - before

    assert landmark_calls(PerceptionQuality()) == 8
    assert landmark_calls(PerceptionQuality(mesh_every=2)) == 4


def test_hud_log_and_sidecar_say_which_level_was_in_use(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "magicbooth.pipeline.governor")
    config = Config().replace("storage", clips_dir=str(tmp_path), min_free_mb=0)
    camera = SyntheticCamera((160, 120))
    pipeline = build_pipeline(config, source=lambda: camera, effects=("probe",), live=True,
                              catalog={"probe": Probe})
    with Recorder(config, (160, 120), 30, root=tmp_path, recover=False) as recorder:
        pipeline.add_sink(RecordSink(recorder, live=True))
        with pipeline:
            assert pipeline.governor is not None
            recorder.start(pre_roll_s=0.0)
            for number, frames in ((0, 20), (2, 25), (1, 10)):
                pipeline.governor.pin(number, reason="test")
                for _ in range(frames):
                    assert pipeline.step(2.0) is not None
            assert "quality 1/5 mask/2 (pinned): the person mask on every 2nd frame" in hud_lines(pipeline)
            clip = recorder.stop(0.0).result(timeout=20)
    sidecar = json.loads(clip.sidecar.read_text())
    levels = sidecar["quality_levels"]
    assert set(levels) == {"0", "2", "1"} and sidecar["quality_level_max"] == 2
    assert sum(levels.values()) == pytest.approx(sidecar["duration_s"], abs=0.15)
    assert all(seconds > 0 for seconds in levels.values())   # (their lengths follow the frames' wall-clock times)
    assert "quality 0 -> level 2 (mesh/2" in caplog.text
