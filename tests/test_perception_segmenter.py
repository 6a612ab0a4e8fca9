"""Segmenter: the mask and its obs-backgroundremoval-style clean-up options."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from magicbooth.core.config import Config
from magicbooth.perception.loading import open_model
from magicbooth.perception.segmenter import MaskOptions, Segmenter, remove_small_blobs
from tests.perception_helpers import astronaut


@pytest.fixture(scope="module")
def model():
    return open_model("landscape", Config())


def _shaky_clip(count: int = 16) -> list[np.ndarray]:
    """The astronaut at 640×480 with sensor noise and a one-pixel hand shake."""
    rng = np.random.default_rng(3)
    base = cv2.resize(astronaut(), (640, 480))
    frames = []
    for _ in range(count):
        dx, dy = rng.integers(-2, 3, 2)
        moved = np.roll(base, (int(dy), int(dx)), axis=(0, 1)).astype(np.float32)
        frames.append(np.clip(moved + rng.normal(0, 10, moved.shape), 0, 255).astype(np.uint8))
    return frames


def _change(segmenter: Segmenter, frames: list[np.ndarray]) -> float:
    masks = [segmenter.segment(f) for f in frames]
    return float(np.mean([np.abs(b - a).mean() for a, b in itertools.pairwise(masks[2:])]))


def test_mask_at_frame_size(model) -> None:
    image = cv2.resize(astronaut(), (640, 480))
    mask = Segmenter(model).segment(image)
    assert mask.shape == (480, 640) and mask.dtype == np.float32
    assert mask.min() >= 0.0 and mask.max() <= 1.0
    assert 0.3 < mask.mean() < 0.8  # the astronaut fills about half the picture
    assert mask[100, 300] > 0.9 and mask[400, 300] > 0.9  # face and suit
    assert mask[10, 630] < 0.1 and mask[20, 20] < 0.1      # wall and flag


@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_temporal_smoothing_reduces_mask_change(model, threshold: float) -> None:
    frames = _shaky_clip()
    raw = _change(Segmenter(model, MaskOptions(threshold=threshold, smoothing=0.0, feather=0.0)), frames)
    smooth = _change(Segmenter(model, MaskOptions(threshold=threshold, smoothing=0.7, feather=0.0)), frames)
    assert raw > 0.001
    assert smooth < 0.75 * raw


def test_every_n_frames_and_skip_unchanged(model) -> None:
    frames = _shaky_clip(10)
    every = Segmenter(model, MaskOptions(every=3))
    for f in frames:
        every.segment(f)
    assert every.calls == 4
    still = Segmenter(model, MaskOptions(skip_change=3.0))
    for _ in range(5):
        still.segment(frames[0])
    assert still.calls == 1
    still.segment(255 - frames[0])  # a big change runs the model again
    assert still.calls == 2


def test_small_blobs_removed_big_kept() -> None:
    alpha = np.zeros((100, 100), np.float32)
    alpha[10:60, 10:60] = 1.0   # 25 % of the image
    alpha[80:83, 80:83] = 1.0   # 0.09 %
    cleaned = remove_small_blobs(alpha, 0.01)
    assert cleaned[30, 30] == 1.0 and cleaned[81, 81] == 0.0
    assert remove_small_blobs(alpha, 0.0005)[81, 81] == 1.0


def test_feather_softens_edges_only(model) -> None:
    image = cv2.resize(astronaut(), (640, 480))
    hard = Segmenter(model, MaskOptions(feather=0.0)).segment(image)
    soft = Segmenter(model, MaskOptions(feather=0.03)).segment(image)
    assert np.mean((hard > 0.02) & (hard < 0.98)) < np.mean((soft > 0.02) & (soft < 0.98))
    assert abs(float(hard.mean()) - float(soft.mean())) < 0.03
