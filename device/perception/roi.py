"""The rotated square a face is cropped from, and the maps in and out of it.

The landmark model wants an upright face. The crop is a square around the face,
1.5× its size, turned so that the eye line is horizontal: from a detection the
eyes are its first two keypoints, while tracking they are mesh points 33 and
263 (the outer eye corners).

>>> rect = Roi.from_face(np.array([200, 100, 300, 200]), right_eye=np.array([230, 140]),
...                      left_eye=np.array([270, 140]))        # level eyes: no rotation, 1.5x the box
>>> rect
Roi(cx=250.0, cy=150.0, size=150.0, angle=0.0)
>>> rect.crop(np.zeros((480, 640, 3), np.uint8), 192).shape
(192, 192, 3)
>>> rect.project(np.array([[96.0, 96.0, 0.0]]), 192)      # the crop's centre is the box's centre
array([[250., 150.,   0.]], dtype=float32)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

SCALE = 1.5
RIGHT_EYE_CORNER, LEFT_EYE_CORNER = 33, 263


@dataclass(frozen=True, slots=True)
class Roi:
    """Centre (cx, cy) and side in pixels; ``angle`` in radians, clockwise on screen."""

    cx: float
    cy: float
    size: float
    angle: float

    @classmethod
    def from_face(cls, box: np.ndarray, right_eye: np.ndarray, left_eye: np.ndarray,
                  scale: float = SCALE) -> Roi:
        """From an axis-aligned xyxy box in pixels and the two eye points (subject's right first)."""
        angle = eye_angle(right_eye, left_eye)
        side = max(box[2] - box[0], box[3] - box[1]) * scale
        return cls(float(box[0] + box[2]) / 2, float(box[1] + box[3]) / 2, float(side), angle)

    @classmethod
    def from_landmarks(cls, points: np.ndarray, scale: float = SCALE) -> Roi:
        """The crop for the next frame, from this frame's (468, 2+) mesh in pixels."""
        lo, hi = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
        box = np.array([lo[0], lo[1], hi[0], hi[1]])
        return cls.from_face(box, points[RIGHT_EYE_CORNER], points[LEFT_EYE_CORNER], scale)

    def to_frame(self, size: int) -> np.ndarray:
        """2×3 affine matrix taking model-input coordinates to frame coordinates.

        Both in the continuous convention where pixel i spans [i, i+1], the one
        MediaPipe's normalised coordinates use.
        """
        c, s = math.cos(self.angle), math.sin(self.angle)
        k = self.size / size
        a = np.array([[k * c, -k * s], [k * s, k * c]])
        t = np.array([self.cx, self.cy]) - a @ np.array([size / 2, size / 2])
        return np.hstack([a, t[:, None]]).astype(np.float32)

    def crop(self, image: np.ndarray, size: int) -> np.ndarray:
        """The size×size upright face crop (edges replicate beyond the frame)."""
        m = self.to_frame(size).astype(np.float64)
        # OpenCV puts pixel centres on integers: shift in by half a pixel and out by half.
        m[:, 2] += m[:, :2] @ np.array([0.5, 0.5]) - 0.5
        return cv2.warpAffine(image, m, (size, size),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)

    def project(self, points: np.ndarray, size: int) -> np.ndarray:
        """Map (N, 3) model-input points (x, y, z in input pixels) to frame pixels; z scales like x."""
        m = self.to_frame(size)
        out = np.empty(points.shape, np.float32)
        out[:, :2] = points[:, :2] @ m[:, :2].T + m[:, 2]
        if points.shape[1] > 2:
            out[:, 2] = points[:, 2] * (self.size / size)
        return out

    def iou(self, other: Roi) -> float:
        """Overlap of the two squares, ignoring rotation (enough to tell faces apart)."""
        a, b = self.size / 2, other.size / 2
        ix = max(0.0, min(self.cx + a, other.cx + b) - max(self.cx - a, other.cx - b))
        iy = max(0.0, min(self.cy + a, other.cy + b) - max(self.cy - a, other.cy - b))
        inter = ix * iy
        union = self.size ** 2 + other.size ** 2 - inter
        return inter / union if union > 0 else 0.0


def eye_angle(right_eye: np.ndarray, left_eye: np.ndarray) -> float:
    """Angle of the eye line: 0 when the subject's left eye is level to the image's right."""
    angle = math.atan2(float(left_eye[1] - right_eye[1]), float(left_eye[0] - right_eye[0]))
    return (angle + math.pi) % (2 * math.pi) - math.pi
