"""Just enough palm detection and hand cropping for the tools, as MediaPipe's hand tracking graph does it.

The factory finds palms with the float detector to cut landmark calibration crops, and
the report compares int8 palms and landmarks with float ones. (The app's own hand tracker
lives in ``device/perception``; this copy keeps the tools standalone, like ``faces``.)

Palm detection (192x192, letterboxed): 2016 SSD anchors (strides 8, 16, 16, 16, like
BlazeFace's), each with a box and 7 keypoints (wrist centre, index/middle/ring/pinky
knuckles, thumb CMC and MCP), weighted NMS at IoU 0.3. The hand crop turns the wrist ->
middle-knuckle line upright and takes 2.6x the palm box, shifted half a box toward the
fingers; the landmark model (224x224) gives 21 points in its input pixels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tools.modelfactory import faces

PALM_SIZE = 192
LANDMARK_SIZE = 224
_ANCHOR_LAYOUT = ((8, 2), (16, 6))
PALM_SCALE, PALM_SHIFT = 2.6, -0.5          # MediaPipe's palm -> hand rectangle
TRACK_SCALE, TRACK_SHIFT = 2.0, -0.1        # and landmarks -> next frame's rectangle
_TRACK_POINTS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)


def anchors(size: int = PALM_SIZE) -> np.ndarray:
    """[2016, 2] anchor centres in 0..1, in the order the model emits them."""
    centres = []
    for stride, per_cell in _ANCHOR_LAYOUT:
        cells = size // stride
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(centres).astype(np.float32)


_ANCHORS = anchors()


@dataclass(frozen=True)
class Palm:
    """One palm in detector-input coordinates 0..1."""

    score: float
    box: np.ndarray        # x_min, y_min, x_max, y_max
    keypoints: np.ndarray  # [7, 2]: wrist, index, middle, ring, pinky knuckles, thumb CMC, thumb MCP

    @property
    def size(self) -> float:
        """Wrist to middle knuckle: the scale keypoint errors are divided by."""
        return float(np.linalg.norm(self.keypoints[2] - self.keypoints[0]))


def decode(regressors: np.ndarray, logits: np.ndarray, threshold: float = 0.5,
           size: int = PALM_SIZE) -> list[Palm]:
    """Per-anchor outputs -> palms above ``threshold``, best first (weighted NMS at IoU 0.3)."""
    raw = regressors.reshape(-1, 18) / size
    scores = 1 / (1 + np.exp(-np.clip(logits.reshape(-1).astype(np.float64), -100, 100)))
    centre = _ANCHORS + raw[:, 0:2]
    half = raw[:, 2:4] / 2
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    points = _ANCHORS[:, None, :] + raw[:, 4:18].reshape(-1, 7, 2)
    remaining = np.array([i for i in np.argsort(-scores, kind="stable") if scores[i] >= threshold], dtype=int)
    kept: list[Palm] = []
    while remaining.size:
        top = remaining[0]
        overlap = faces._ious(boxes[top], boxes[remaining]) > 0.3
        overlap[0] = True
        cluster, remaining = remaining[overlap], remaining[~overlap]
        weights = scores[cluster][:, None]
        box = (boxes[cluster] * weights).sum(axis=0) / weights.sum()
        keypoints = (points[cluster] * weights[:, :, None]).sum(axis=0) / weights.sum()
        kept.append(Palm(float(scores[top]), box, keypoints))
    return kept


@dataclass(frozen=True)
class HandRect:
    """A rotated square in picture pixels: centre, side, and angle (degrees, clockwise on screen)."""

    centre: np.ndarray
    side: float
    angle: float

    def crop(self, image: np.ndarray, size: int = LANDMARK_SIZE) -> np.ndarray:
        return faces.face_crop(image, self.centre, self.side, self.angle, size)

    def to_picture(self, points: np.ndarray, size: int = LANDMARK_SIZE) -> np.ndarray:
        """Crop pixels (N, 2+) -> picture pixels (x, y)."""
        a = math.radians(self.angle)
        c, s = math.cos(a), math.sin(a)
        k = self.side / size
        local = (points[:, :2] - size / 2) * k
        return np.stack([self.centre[0] + c * local[:, 0] - s * local[:, 1],
                         self.centre[1] + s * local[:, 0] + c * local[:, 1]], axis=1)


def _rect(centre: np.ndarray, width: float, height: float, rotation: float, scale: float,
          shift: float) -> HandRect:
    """MediaPipe's RectTransformation: shift along the rotated y, square on the long side, scale."""
    centre = centre + height * shift * np.array([-math.sin(rotation), math.cos(rotation)])
    return HandRect(centre, max(width, height) * scale, math.degrees(rotation))


def _rotation(start: np.ndarray, end: np.ndarray) -> float:
    """Radians (clockwise on screen) that turn ``start`` -> ``end`` to point straight up."""
    angle = math.pi / 2 - math.atan2(-(end[1] - start[1]), end[0] - start[0])
    return (angle + math.pi) % (2 * math.pi) - math.pi


def palm_rect(palm: Palm, to_picture: Callable[[np.ndarray], np.ndarray]) -> HandRect:
    """The landmark crop for a palm; ``to_picture`` maps detector 0..1 points (N, 2) to picture pixels."""
    box = to_picture(palm.box.reshape(2, 2))
    points = to_picture(palm.keypoints)
    rotation = _rotation(points[0], points[2])
    return _rect(box.mean(axis=0), *(box[1] - box[0]), rotation, PALM_SCALE, PALM_SHIFT)


def landmarks_rect(points: np.ndarray) -> HandRect:
    """The next frame's crop from this frame's 21 landmarks (picture pixels), as MediaPipe tracks hands."""
    knuckles = (points[5, :2] + points[13, :2]) / 2
    rotation = _rotation(points[0, :2], (knuckles + points[9, :2]) / 2)
    subset = points[list(_TRACK_POINTS), :2]
    c, s = math.cos(-rotation), math.sin(-rotation)
    upright = subset @ np.array([[c, s], [-s, c]])
    lo, hi = upright.min(axis=0), upright.max(axis=0)
    middle = ((lo + hi) / 2) @ np.array([[c, -s], [s, c]])
    return _rect(middle, *(hi - lo), rotation, TRACK_SCALE, TRACK_SHIFT)
