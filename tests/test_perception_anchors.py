"""SSD anchors, decoding and weighted NMS, on hand-built tensors."""

from __future__ import annotations

import numpy as np

from magicbooth.perception.anchors import decode, iou, ssd_anchors, weighted_nms


def test_896_anchors_in_model_order() -> None:
    anchors = ssd_anchors()
    assert anchors.shape == (896, 2)
    # 16×16 grid, 2 per cell, then 8×8 grid, 6 per cell; rows vary slowest.
    assert np.allclose(anchors[0], [0.5 / 16, 0.5 / 16]) and np.allclose(anchors[1], anchors[0])
    assert np.allclose(anchors[2], [1.5 / 16, 0.5 / 16])
    assert np.allclose(anchors[512], [0.5 / 8, 0.5 / 8]) and np.allclose(anchors[517], anchors[512])
    assert np.allclose(anchors[-1], [7.5 / 8, 7.5 / 8])


def test_decode_offsets_from_anchor_and_filters_scores() -> None:
    anchors = ssd_anchors()
    raw = np.zeros((1, 896, 16), np.float32)
    scores = np.full((1, 896, 1), -10.0, np.float32)
    raw[0, 600] = [12.8, -6.4, 32, 64, *([1.28, 2.56] * 6)]
    scores[0, 600] = 2.0
    boxes, s = decode(raw, scores, anchors, 0.5)
    assert boxes.shape == (1, 16)
    cx, cy = anchors[600] + [0.1, -0.05]
    assert np.allclose(boxes[0, :4], [cx - 0.125, cy - 0.25, cx + 0.125, cy + 0.25], atol=1e-6)
    assert np.allclose(boxes[0, 4:6], anchors[600] + [0.01, 0.02], atol=1e-6)
    assert np.isclose(s[0], 1 / (1 + np.exp(-2.0)))


def test_weighted_nms_blends_overlaps_and_keeps_separate_faces() -> None:
    boxes = np.array([[0.10, 0.10, 0.30, 0.30], [0.12, 0.12, 0.32, 0.32], [0.60, 0.60, 0.80, 0.80]], np.float32)
    scores = np.array([0.9, 0.6, 0.7], np.float32)
    kept, kept_scores = weighted_nms(boxes, scores, 0.3, max_faces=5)
    assert len(kept) == 2
    assert np.allclose(kept[0], (boxes[0] * 0.9 + boxes[1] * 0.6) / 1.5)
    assert np.allclose(kept[1], boxes[2]) and np.allclose(kept_scores, [0.9, 0.7])
    only, _ = weighted_nms(boxes, scores, 0.3, max_faces=1)
    assert len(only) == 1


def test_iou() -> None:
    a = np.array([0, 0, 2, 2], np.float32)
    assert np.allclose(iou(a, np.array([[1, 0, 3, 2], [5, 5, 6, 6]], np.float32)), [1 / 3, 0])
