"""Faces without a mesh are followed between detections: fewer detector runs, the same faces."""

from __future__ import annotations

import math

import cv2
import numpy as np

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.perception import Perception
from magicbooth.perception.anchors import iou
from magicbooth.perception.boxtrack import BoxTracker
from magicbooth.perception.motion import similarity
from tests.perception_helpers import moving_face_clip


def _xyxy(box: tuple[float, float, float, float]) -> np.ndarray:
    x, y, w, h = box
    return np.array([x, y, x + w, y + h], np.float32)


def _faces(config: Config, frames: list[Frame]) -> tuple[Perception, list]:
    perception = Perception(config, {"faces"})
    return perception, [perception.process(f) for f in frames]


def test_similarity_fit_recovers_a_known_motion() -> None:
    src = np.random.default_rng(1).uniform(0, 40, (16, 2)).astype(np.float32)
    turn, zoom = math.radians(4), 1.05
    rot = zoom * np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]], np.float32)
    dst = src @ rot.T + np.float32((3.5, -2.0))
    matrix = similarity(src, dst)
    assert np.abs(matrix[:, :2] - rot).max() < 1e-4 and np.abs(matrix[:, 2] - (3.5, -2.0)).max() < 1e-3


def test_a_followed_face_moves_with_the_picture() -> None:
    frames, offsets = moving_face_clip(30)
    perception = Perception(Config(), {"faces"})
    rows, scores = perception.detector.find(frames[0])
    boxes = BoxTracker(detect_every=100)
    boxes.seed(boxes.picture(frames[0].image), rows, scores, 640)
    for f, offset in zip(frames[1:8], offsets[1:8], strict=True):
        moved, _ = boxes.follow(boxes.picture(f.image))
        expected = rows[0].reshape(-1, 2) + (offset - offsets[0])
        assert np.abs(moved[0].reshape(-1, 2) - expected).max() < 3.0  # pixels, frame size 640×480


def test_the_detector_runs_every_few_frames_and_the_faces_are_as_good() -> None:
    frames, offsets = moving_face_clip(30)
    every = Config().replace("perception", detect_every=1)
    followed = Config().replace("perception", detect_every=5)
    reference, want = _faces(every, frames)
    perception, got = _faces(followed, frames)
    assert reference.detector.calls == 30
    assert perception.detector.calls == 6  # frames 0, 5, 10, ...
    assert all(len(a.faces) == len(b.faces) == 1 for a, b in zip(want, got, strict=True))
    # the truth: the first face carried by the photo's known offsets
    first = _xyxy(want[0].faces[0].box)
    truth = [first + np.tile(offset - offsets[0], 2) for offset in offsets]
    overlaps = [[float(iou(t, _xyxy(s.faces[0].box)[None])[0]) for t, s in zip(truth, scenes, strict=True)]
                for scenes in (want, got)]
    assert min(overlaps[1]) > 0.75
    assert np.mean(overlaps[1]) >= np.mean(overlaps[0]) - 0.02
    assert all(s.timings["detect"] >= 0 for s in got)


def test_a_face_that_jumps_is_looked_for_again_at_once() -> None:
    frames, _ = moving_face_clip(30)
    jumped = [frames[i] if i < 4 else Frame(cv2.flip(frames[i].image, 1), frames[i].t, i) for i in range(8)]
    perception, scenes = _faces(Config().replace("perception", detect_every=10), jumped)
    assert perception.detector.calls == 2  # the first frame, and the frame the face jumped to the other side
    assert scenes[3].faces[0].box[0] < 200 and scenes[4].faces[0].box[0] > 400  # found where it went, at once


def test_with_nobody_in_the_picture_the_detector_runs_on_every_frame() -> None:
    empty = [Frame(np.full((480, 640, 3), 90, np.uint8), i / 30, i) for i in range(6)]
    perception, scenes = _faces(Config(), empty)
    assert perception.detector.calls == 6
    assert all(not s.faces for s in scenes)


def test_a_still_photo_forgets_the_followed_faces() -> None:
    frames, _ = moving_face_clip(10)
    perception, _ = _faces(Config(), frames[:3])
    calls = perception.detector.calls
    perception.process_still(frames[9])
    perception.process(frames[9])
    assert perception.detector.calls == calls + 2  # the still, then a fresh detection
