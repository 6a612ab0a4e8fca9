"""Tracking from the previous mesh, and One-Euro smoothing."""

from __future__ import annotations

import numpy as np

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.perception import Perception
from magicbooth.perception.one_euro import OneEuroFilter
from tests.perception_helpers import astronaut, frame, moving_face_clip, nme


def _run(config: Config, frames: list[Frame]) -> tuple[Perception, list]:
    perception = Perception(config, {"mesh"})
    return perception, [perception.process(f) for f in frames]


def test_tracks_moving_face_without_redetecting() -> None:
    frames, offsets = moving_face_clip(60)
    config = Config().replace("perception", max_faces=1)
    perception, scenes = _run(config, frames)
    assert all(len(s.meshes) == 1 and len(s.faces) == 1 for s in scenes)
    assert perception.detector.calls == 1
    runs, reused = perception.tracker.landmarker.calls, perception.tracker.reused
    assert runs + reused == 60 and runs >= 30  # the model at least every other frame (mesh_reuse 1)
    # The nose tip moves with the photo: in photo coordinates it stays put.
    noses = np.array([s.meshes[0].points[1, :2] for s in scenes]) - offsets
    size = scenes[0].faces[0].box[2]
    assert np.abs(noses - np.median(noses, axis=0)).max() < 0.08 * size
    assert all(s.timings["detect"] == 0.0 for s in scenes[1:])


def test_looks_for_new_faces_every_k_frames_only() -> None:
    frames, _ = moving_face_clip(60)
    config = Config().replace("perception", max_faces=2, redetect_every=10)
    perception, scenes = _run(config, frames)
    assert all(len(s.meshes) == 1 for s in scenes)
    assert 2 <= perception.detector.calls <= 7


def test_lost_face_is_found_again() -> None:
    frames, _ = moving_face_clip(40)
    blank = np.full_like(frames[0].image, 128)
    clip = [Frame(blank if 15 <= f.index < 20 else f.image, f.t, f.index) for f in frames]
    config = Config().replace("perception", max_faces=1)
    perception, scenes = _run(config, clip)
    assert [len(s.meshes) for s in scenes[15:20]] == [0] * 5
    assert all(len(s.meshes) == 1 for s in scenes[21:])
    assert perception.detector.calls >= 6  # once at the start, then on every blank frame, then on return


def _jitter(config: Config) -> float:
    rng = np.random.default_rng(7)
    image = astronaut()
    frames = [frame(np.clip(image + rng.normal(0, 8, image.shape), 0, 255).astype(np.uint8), i) for i in range(20)]
    _, scenes = _run(config, frames)
    points = np.array([s.meshes[0].points[:, :2] for s in scenes[5:]])
    return float(np.linalg.norm(np.diff(points, axis=0), axis=2).mean())


def test_smoothing_reduces_landmark_jitter() -> None:
    raw = _jitter(Config().replace("perception", smoothing=False, mesh_reuse=0))
    smooth = _jitter(Config().replace("perception", smoothing=True, mesh_reuse=0))
    assert raw > 0.05  # the noise really moves the raw landmarks
    assert smooth < 0.6 * raw


def test_one_euro_filter() -> None:
    rng = np.random.default_rng(1)
    still = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    noisy = [still(np.array([5.0]) + rng.normal(0, 1, 1), i / 30) for i in range(200)]
    assert np.std(np.array(noisy[50:])) < 0.5
    assert np.allclose(OneEuroFilter()(np.ones(3), 0.0), 1.0)  # first value passes through
    lagging, quick = OneEuroFilter(1.0, 0.0), OneEuroFilter(1.0, 50.0)
    for i in range(30):  # a steady move of 10 units per frame
        a = lagging(np.array([10.0 * i]), i / 30, scale=100)
        b = quick(np.array([10.0 * i]), i / 30, scale=100)
    assert abs(290 - b[0]) < abs(290 - a[0]) / 3


def test_a_face_that_only_moves_gets_its_mesh_carried_as_the_model_would_give_it() -> None:
    frames, _ = moving_face_clip(60)
    every = Config().replace("perception", max_faces=1, mesh_reuse=0, smoothing=False)
    carried = Config().replace("perception", max_faces=1, mesh_reuse=2, smoothing=False)
    _, want = _run(every, frames)
    perception, got = _run(carried, frames)
    assert perception.tracker.reused >= 20 and perception.tracker.landmarker.calls >= 20  # 2 of 3 at most
    errors = [nme(b.meshes[0].points, a.meshes[0].points) for a, b in zip(want, got, strict=True)]
    assert max(errors) < 0.03 and np.mean(errors) < 0.01


def test_a_still_face_keeps_its_mesh_and_a_changing_one_runs_the_model() -> None:
    image = astronaut()
    still = [frame(image, i) for i in range(9)]
    config = Config().replace("perception", max_faces=1, mesh_reuse=3)
    perception, scenes = _run(config, still)
    assert perception.tracker.landmarker.calls == 3 and perception.tracker.reused == 6  # 1 run, 3 kept, ...
    assert all(len(s.meshes) == 1 for s in scenes)
    # a mouth that opens and closes: the face's picture changes where the mesh would, so the model runs
    mouth = scenes[0].meshes[0].points[[13, 14, 78, 308], :2]
    x0, y0 = mouth.min(axis=0).astype(int) - 4
    x1, y1 = mouth.max(axis=0).astype(int) + 12
    talking = []
    for i in range(9):
        shown = image.copy()
        if i % 2:
            shown[y0:y1, x0:x1] = 40  # dark: open
        talking.append(frame(shown, i))
    perception, _ = _run(config, talking)
    assert perception.tracker.landmarker.calls == 9 and perception.tracker.reused == 0
