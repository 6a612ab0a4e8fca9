"""FaceDetector: BlazeFace (short or full range) on a letterboxed image, in image pixels.

Usage::

    detector = FaceDetector(open_model("detector", config), max_faces=2)    # perception.loading
    rows, scores = detector.detect(frame.image)   # rows: xyxy + 6 keypoints, frame pixels
    faces = to_faces(rows, scores)
    far = FaceDetector(open_model("far_detector", config), grid=FULL_RANGE)  # 192×192, faces 1-4 m away
"""

from __future__ import annotations

import cv2
import numpy as np

from magicbooth.core.errors import ModelError
from magicbooth.core.scene import KEYPOINT_NAMES, Face
from magicbooth.perception.anchors import NUM_KEYPOINTS, SHORT_RANGE, AnchorGrid, decode, ssd_anchors, weighted_nms
from magicbooth.perception.model import ModelIO

VALUE_RANGE = (-1.0, 1.0)


class FaceDetector:
    """Finds up to ``max_faces`` faces; rows are xyxy then six keypoint x, y pairs, in pixels."""

    def __init__(self, model: ModelIO, *, min_score: float = 0.5, iou_threshold: float = 0.3,
                 max_faces: int = 2, grid: AnchorGrid = SHORT_RANGE) -> None:
        self.model = model
        self.min_score = min_score
        self.iou_threshold = iou_threshold
        self.max_faces = max_faces
        self._side = model.input_size[0]
        if self._side != grid.input_size:
            raise ModelError(f"{model.name}: input {self._side}×{self._side}, but its anchor grid is for "
                             f"{grid.input_size}×{grid.input_size}; rebuild the models")
        self._anchors = ssd_anchors(grid.input_size, grid.strides, grid.per_layer)
        model.require("regressors", "classificators")
        self.calls = 0

    def detect(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Detect faces in an RGB image; returns (rows (K, 16), scores (K,)) in image pixels."""
        self.calls += 1
        pixels, scale, pad_x, pad_y = letterbox(image, self._side)
        outputs = self.model.run(pixels)
        rows, scores = decode(outputs["regressors"], outputs["classificators"], self._anchors, self.min_score,
                              self._side)
        rows, scores = weighted_nms(rows, scores, self.iou_threshold, self.max_faces)
        rows = rows.reshape(-1, 2)  # every column pair is an x, y
        rows = (rows * self._side - (pad_x, pad_y)) / scale
        return rows.reshape(-1, 4 + 2 * NUM_KEYPOINTS).astype(np.float32), scores


def letterbox(image: np.ndarray, side: int) -> tuple[np.ndarray, float, float, float]:
    """Fit the image into side×side keeping its aspect ratio, centred, black borders.

    Returns the square and the (scale, pad_x, pad_y) that map image pixels to it.
    """
    h, w = image.shape[:2]
    scale = min(side / w, side / h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    left, top = (side - new_w) // 2, (side - new_h) // 2
    square = cv2.copyMakeBorder(small, top, side - new_h - top, left, side - new_w - left,
                                cv2.BORDER_CONSTANT, value=(0, 0, 0))
    # Use the exact scale of the resized content so padding maps back precisely.
    return square, new_w / w, float(left), float(top)


def to_faces(rows: np.ndarray, scores: np.ndarray) -> tuple[Face, ...]:
    """Detector rows to ``Face`` objects with named keypoints."""
    faces = []
    for row, score in zip(rows, scores, strict=True):
        x0, y0, x1, y1 = (float(v) for v in row[:4])
        points = row[4:].reshape(-1, 2)
        keypoints = {name: (float(p[0]), float(p[1])) for name, p in zip(KEYPOINT_NAMES, points, strict=True)}
        faces.append(Face((x0, y0, x1 - x0, y1 - y0), float(score), keypoints))
    return tuple(faces)
