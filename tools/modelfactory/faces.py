"""Just enough BlazeFace decoding for the tools: anchors, boxes, keypoints, a face crop.

The factory uses it to find faces for landmark calibration crops and the
report uses it to compare int8 detections with float ones. (The app's own
detector lives in ``device/perception``; this copy keeps the tools standalone.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

DETECTOR_SIZE = 128
# Short-range BlazeFace SSD anchors: stride 8 with 2 anchors per cell, stride 16 with 6 (the full-range
# detector's are in its spec: stride 4, one per cell at 192x192).
SHORT_RANGE = ((8, 2), (16, 6))
Layout = tuple[tuple[int, int], ...]


@functools.cache
def anchors(size: int = DETECTOR_SIZE, layout: Layout = SHORT_RANGE) -> np.ndarray:
    """[N, 2] anchor centres in 0..1, in the order the model emits them (896 for the short-range detector)."""
    centres = []
    for stride, per_cell in layout:
        cells = size // stride
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(centres).astype(np.float32)


@dataclass(frozen=True)
class Detection:
    """One face in detector-input coordinates 0..1."""

    score: float
    box: np.ndarray  # x_min, y_min, x_max, y_max
    keypoints: np.ndarray  # [6, 2]: right_eye, left_eye, nose_tip, mouth_center, right/left ear tragion

    @property
    def eye_distance(self) -> float:
        return float(np.linalg.norm(self.keypoints[0] - self.keypoints[1]))


def decode(regressors: np.ndarray, logits: np.ndarray, threshold: float = 0.5,
           size: int = DETECTOR_SIZE, layout: Layout = SHORT_RANGE) -> list[Detection]:
    """Per-anchor outputs -> detections above ``threshold``, best first.

    Overlapping anchors (IoU > 0.3) merge by score-weighted averaging, as
    MediaPipe's face detection graph does (weighted non-maximum suppression).
    """
    grid = anchors(size, layout)
    raw = regressors.reshape(-1, 16) / size
    scores = 1 / (1 + np.exp(-np.clip(logits.reshape(-1).astype(np.float64), -100, 100)))
    centre = grid + raw[:, 0:2]
    half = raw[:, 2:4] / 2
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    points = grid[:, None, :] + raw[:, 4:16].reshape(-1, 6, 2)
    remaining = np.array([i for i in np.argsort(-scores, kind="stable") if scores[i] >= threshold], dtype=int)
    kept: list[Detection] = []
    while remaining.size:
        top = remaining[0]
        overlap = _ious(boxes[top], boxes[remaining]) > 0.3
        overlap[0] = True
        cluster, remaining = remaining[overlap], remaining[~overlap]
        weights = scores[cluster][:, None]
        box = (boxes[cluster] * weights).sum(axis=0) / weights.sum()
        keypoints = (points[cluster] * weights[:, :, None]).sum(axis=0) / weights.sum()
        kept.append(Detection(float(scores[top]), box, keypoints))
    return kept


def _ious(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of one box against many (x_min, y_min, x_max, y_max)."""
    w = np.clip(np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0]), 0, None)
    h = np.clip(np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1]), 0, None)
    inter = w * h
    union = (box[2] - box[0]) * (box[3] - box[1]) + (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return np.where(union - inter > 0, inter / np.maximum(union - inter, 1e-12), 0.0)


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two x_min, y_min, x_max, y_max boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def letterbox(image: np.ndarray, size: int = DETECTOR_SIZE) -> tuple[np.ndarray, float, tuple[float, float]]:
    """Fit an image into a square with black bars; returns (square, scale, (pad_x, pad_y))."""
    height, width = image.shape[:2]
    scale = size / max(height, width)
    resized = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    square = np.zeros((size, size, 3), np.uint8)
    pad_x, pad_y = (size - resized.shape[1]) // 2, (size - resized.shape[0]) // 2
    square[pad_y:pad_y + resized.shape[0], pad_x:pad_x + resized.shape[1]] = resized
    return square, scale, (pad_x, pad_y)


def face_crop(image: np.ndarray, centre: np.ndarray, side: float, angle_deg: float, size: int) -> np.ndarray:
    """A rotated square crop of ``side`` pixels around ``centre``, resized to ``size``."""
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle_deg, size / side)
    matrix[:, 2] += (size / 2 - centre[0], size / 2 - centre[1])
    return cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
