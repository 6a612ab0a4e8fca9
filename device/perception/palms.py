"""PalmDetector: MediaPipe's palm detector (lite) on a letterboxed frame, and the hand crops it leads to.

A palm is easier to find than a whole hand (it is rigid and nearly square), so hands
start from palms, as in MediaPipe's hand tracking: the crop turns the wrist -> middle
knuckle line upright and takes 2.6 times the palm box, shifted half a box toward the
fingers. Once landmarks exist the next crop comes from them (``roi_from_landmarks``),
so the detector runs only while no hand is tracked.

Usage::

    palms = PalmDetector(open_model("palm", config), max_palms=2)     # perception.loading
    rows, scores = palms.detect(frame.image)          # rows: xyxy + 7 keypoint x, y pairs, frame pixels
    roi = roi_from_palm(rows[0])                      # the crop the hand landmark model reads

>>> row = np.array([300, 200, 340, 240, 320, 240, 0, 0, 320, 200] + [0] * 8, np.float32)  # wrist below knuckle
>>> roi_from_palm(row)                   # upright: 2.6x the 40 px box, shifted 20 px up toward the fingers
Roi(cx=320.0, cy=200.0, size=104.0, angle=0.0)
"""

from __future__ import annotations

import math

import numpy as np

from magicbooth.perception.anchors import decode, ssd_anchors, weighted_nms
from magicbooth.perception.detector import letterbox
from magicbooth.perception.model import ModelIO
from magicbooth.perception.roi import Roi

VALUE_RANGE = (0.0, 1.0)
PALM_KEYPOINTS = 7              # wrist, index, middle, ring, pinky knuckles, thumb CMC, thumb MCP
WRIST, MIDDLE_KNUCKLE = 0, 2    # palm keypoints that set the crop's angle
PALM_SCALE, PALM_SHIFT = 2.6, -0.5
TRACK_SCALE, TRACK_SHIFT = 2.0, -0.1
# Landmarks whose bounds set the tracked crop: wrist, thumb base, and the first two joints of each finger.
TRACK_POINTS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)


class PalmDetector:
    """Finds up to ``max_palms`` palms; rows are xyxy then seven keypoint x, y pairs, in image pixels."""

    def __init__(self, model: ModelIO, *, min_score: float = 0.5, iou_threshold: float = 0.3,
                 max_palms: int = 2) -> None:
        model.require("regressors", "classificators")
        self.model = model
        self.min_score = min_score
        self.iou_threshold = iou_threshold
        self.max_palms = max_palms
        self._side = model.input_size[0]
        self._anchors = ssd_anchors(self._side)
        self.calls = 0

    def detect(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Palms in an RGB image: (rows (K, 18), scores (K,)), best first."""
        self.calls += 1
        pixels, scale, pad_x, pad_y = letterbox(image, self._side)
        outputs = self.model.run(pixels)
        rows, scores = decode(outputs["regressors"], outputs["classificators"], self._anchors, self.min_score,
                              self._side, keypoints=PALM_KEYPOINTS)
        rows, scores = weighted_nms(rows, scores, self.iou_threshold, self.max_palms)
        rows = (rows.reshape(-1, 2) * self._side - (pad_x, pad_y)) / scale
        return rows.reshape(-1, 4 + 2 * PALM_KEYPOINTS).astype(np.float32), scores


def roi_from_palm(row: np.ndarray) -> Roi:
    """The hand crop for one detector row (pixels)."""
    points = row[4:].reshape(-1, 2)
    angle = upright_angle(points[WRIST], points[MIDDLE_KNUCKLE])
    return _transformed((float(row[0] + row[2]) / 2, float(row[1] + row[3]) / 2), float(row[2] - row[0]),
                        float(row[3] - row[1]), angle, PALM_SCALE, PALM_SHIFT)


def roi_from_landmarks(points: np.ndarray) -> Roi:
    """The next frame's hand crop from this frame's 21 landmarks (pixels), as MediaPipe tracks a hand."""
    knuckles = (points[5, :2] + points[13, :2]) / 2
    angle = upright_angle(points[0, :2], (knuckles + points[9, :2]) / 2)
    c, s = math.cos(angle), math.sin(angle)
    to_frame = np.array([[c, -s], [s, c]])
    upright = points[list(TRACK_POINTS), :2] @ to_frame          # frame -> the crop's upright axes
    lo, hi = upright.min(axis=0), upright.max(axis=0)
    centre = to_frame @ ((lo + hi) / 2)
    return _transformed((float(centre[0]), float(centre[1])), float(hi[0] - lo[0]), float(hi[1] - lo[1]), angle,
                        TRACK_SCALE, TRACK_SHIFT)


def upright_angle(start: np.ndarray, end: np.ndarray) -> float:
    """Radians, clockwise on screen, by which the line ``start`` -> ``end`` leans from straight up."""
    angle = math.pi / 2 - math.atan2(-(float(end[1]) - float(start[1])), float(end[0]) - float(start[0]))
    return (angle + math.pi) % (2 * math.pi) - math.pi


def _transformed(centre: tuple[float, float], width: float, height: float, angle: float, scale: float,
                 shift: float) -> Roi:
    """MediaPipe's rect transformation: shift along the crop's own y axis, square on the long side, scale."""
    cx = centre[0] - height * shift * math.sin(angle)
    cy = centre[1] + height * shift * math.cos(angle)
    return Roi(float(cx), float(cy), float(max(width, height) * scale), float(angle))
