"""BlazeFace's 896 SSD anchors, box decoding and MediaPipe-style weighted NMS.

Everything is vectorised over anchors: the only Python loop is over the
clusters NMS emits, which is at most one per face.

>>> anchors = ssd_anchors()                 # centres in 0..1, in the order the model emits its rows
>>> anchors.shape, ssd_anchors(192, (4,), per_layer=1).shape     # short range; full range
((896, 2), (2304, 2))
>>> raw_boxes = np.zeros((1, 896, 16), np.float32)
>>> raw_boxes[..., 2:4] = 32.0                      # every box 32 px of the 128 px input, on its anchor
>>> raw_scores = np.full((1, 896, 1), -5.0, np.float32)
>>> raw_scores[0, [100, 101], 0] = 3.0, 1.0          # the two anchors of one cell fire
>>> boxes, scores = decode(raw_boxes, raw_scores, anchors, 0.5)
>>> boxes.shape, scores.round(3)
((2, 16), array([0.953, 0.731], dtype=float32))
>>> faces, face_scores = weighted_nms(boxes, scores, 0.3, max_faces=2)   # they overlap: one face
>>> faces.shape, face_scores.round(3)
((1, 16), array([0.953], dtype=float32))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INPUT_SIZE = 128
STRIDES = (8, 16, 16, 16)
NUM_KEYPOINTS = 6
SCORE_CLIP = 100.0


@dataclass(frozen=True, slots=True)
class AnchorGrid:
    """A BlazeFace detector's SSD anchor layout: its input side, the stride of each layer, anchors per layer."""

    input_size: int = INPUT_SIZE
    strides: tuple[int, ...] = STRIDES
    per_layer: int = 2  # aspect ratio 1 plus the interpolated scale; the full-range model has no interpolated one


SHORT_RANGE = AnchorGrid()                                      # 896 anchors at 128×128
FULL_RANGE = AnchorGrid(input_size=192, strides=(4,), per_layer=1)   # 2304 anchors at 192×192


def ssd_anchors(input_size: int = INPUT_SIZE, strides: tuple[int, ...] = STRIDES, per_layer: int = 2) -> np.ndarray:
    """Anchor centres (N, 2) as x, y in 0..1, in the order the model emits them.

    Layers that share a stride share a grid; each layer contributes ``per_layer`` anchors
    per cell (two for the short-range model: aspect ratio 1 plus the interpolated scale). With fixed anchor
    size every anchor is 1×1, so only the centres matter.
    """
    centres = []
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        same = 0
        while layer < len(strides) and strides[layer] == stride:
            same += 1
            layer += 1
        cells = int(np.ceil(input_size / stride))
        ys, xs = np.meshgrid((np.arange(cells) + 0.5) / cells, (np.arange(cells) + 0.5) / cells, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(grid, per_layer * same, axis=0))
    return np.concatenate(centres).astype(np.float32)


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, anchors: np.ndarray, min_score: float,
           input_size: int = INPUT_SIZE, keypoints: int = NUM_KEYPOINTS) -> tuple[np.ndarray, np.ndarray]:
    """Decode the anchors scoring at least ``min_score``.

    Returns ``boxes`` (K, 4 + 2·keypoints) as xmin, ymin, xmax, ymax then keypoint x, y
    pairs, all in 0..1 of the model input, and ``scores`` (K,). (BlazeFace has 6 keypoints,
    the palm detector 7.)
    """
    logits = raw_scores.reshape(-1)
    # sigmoid(x) >= t  <=>  x >= logit(t): filter before any other arithmetic.
    threshold = np.log(min_score / (1.0 - min_score)) if 0.0 < min_score < 1.0 else -np.inf
    hits = np.flatnonzero(logits >= threshold)
    if hits.size == 0:
        return np.zeros((0, 4 + 2 * keypoints), np.float32), np.zeros(0, np.float32)
    raw = raw_boxes.reshape(-1, raw_boxes.shape[-1])[hits] / input_size
    centre = anchors[hits]
    out = np.empty((hits.size, 4 + 2 * keypoints), np.float32)
    cx = raw[:, 0] + centre[:, 0]
    cy = raw[:, 1] + centre[:, 1]
    half_w, half_h = raw[:, 2] / 2, raw[:, 3] / 2
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = cx - half_w, cy - half_h, cx + half_w, cy + half_h
    points = raw[:, 4:4 + 2 * keypoints].reshape(-1, keypoints, 2) + centre[:, None, :]
    out[:, 4:] = points.reshape(-1, 2 * keypoints)
    scores = 1.0 / (1.0 + np.exp(-np.minimum(logits[hits], SCORE_CLIP)))
    return out, scores.astype(np.float32)


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one xyxy box with many."""
    ix = np.maximum(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0)
    iy = np.maximum(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def weighted_nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float,
                 max_faces: int) -> tuple[np.ndarray, np.ndarray]:
    """Blend overlapping detections, weighted by score, as MediaPipe's WEIGHTED NMS does.

    The best remaining detection collects every detection overlapping it by more
    than ``iou_threshold``; the cluster's boxes and keypoints are averaged with
    the scores as weights, and the cluster keeps its best score. Blending rather
    than discarding is what keeps BlazeFace's boxes steady between frames.
    """
    order = np.argsort(-scores, kind="stable")
    boxes, scores = boxes[order], scores[order]
    kept_boxes: list[np.ndarray] = []
    kept_scores: list[float] = []
    while boxes.shape[0] and len(kept_boxes) < max_faces:
        overlap = iou(boxes[0], boxes)
        cluster = overlap > iou_threshold
        cluster[0] = True
        weights = scores[cluster]
        kept_boxes.append((boxes[cluster] * weights[:, None]).sum(axis=0) / weights.sum())
        kept_scores.append(scores[0])
        boxes, scores = boxes[~cluster], scores[~cluster]
    if not kept_boxes:
        return np.zeros((0, boxes.shape[1]), np.float32), np.zeros(0, np.float32)
    return np.asarray(kept_boxes, np.float32), np.asarray(kept_scores, np.float32)
