"""Tracking from the previous mesh, and One-Euro smoothing."""

from __future__ import annotations

import numpy as np

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.perception import Perception
from magicbooth.perception.one_euro import OneEuroFilter
from tests.perception_helpers import astronaut, frame, moving_face_clip


def _run(config: Config, frames: list[Frame]) -> tuple[Perception, list]:
    perception = Perception(config, {"mesh"})
    return perception, [perception.process(f) for f in frames]


def test_tracks_moving_face_without_redetecting() -> None:
    frames, offsets = moving_face_clip(60)
    config = Config().replace("perception", max_faces=1)
    perception, scenes = _run(config, frames)
    assert all(len(s.meshes) == 1 and len(s.faces) == 1 for s in scenes)
    assert perception.detector.calls == 1
    assert perception.tracker.landmarker.calls == 60
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
    raw = _jitter(Config().replace("perception", smoothing=False))
    smooth = _jitter(Config().replace("perception", smoothing=True))
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
