"""Face geometry effects share: anchors from keypoints, mouth opening, the face's hull mask, smoothing."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.core.scene import Face, FaceMesh

# MediaPipe face-mesh landmark indices (facts of the mesh numbering).
UPPER_LIP_INNER, LOWER_LIP_INNER = 13, 14
MOUTH_RIGHT, MOUTH_LEFT = 61, 291


@dataclass(frozen=True)
class Anchor:
    """Where a face is: eye midpoint (x, y), distance between the eyes, roll in radians."""

    x: float
    y: float
    scale: float
    roll: float

    def up(self) -> np.ndarray:
        """Unit vector pointing up the face (towards the forehead) in image coordinates."""
        return np.array([math.sin(self.roll), -math.cos(self.roll)])


def anchor(face: Face) -> Anchor:
    """Eye midpoint, eye distance and roll from the detector's keypoints."""
    r = np.asarray(face.keypoints["right_eye"], np.float64)
    l = np.asarray(face.keypoints["left_eye"], np.float64)  # noqa: E741
    d = l - r
    # The subject's right eye is on the image's left in an unmirrored frame, so d points +x
    # when the head is upright.
    return Anchor(float((r[0] + l[0]) / 2), float((r[1] + l[1]) / 2), float(np.hypot(*d)),
                  float(math.atan2(d[1], d[0])))


def mouth_ratio(mesh: FaceMesh) -> float:
    """Mouth aspect ratio: inner-lip gap over mouth width (about 0 closed, 0.5+ wide open)."""
    p = mesh.points
    gap = np.linalg.norm(p[UPPER_LIP_INNER, :2] - p[LOWER_LIP_INNER, :2])
    width = np.linalg.norm(p[MOUTH_RIGHT, :2] - p[MOUTH_LEFT, :2])
    return float(gap / width) if width > 1e-6 else 0.0


def hull_mask(mesh: FaceMesh, size: tuple[int, int]) -> np.ndarray:
    """A uint8 (h, w) mask, 255 inside the convex hull of the mesh."""
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    hull = cv2.convexHull(np.round(mesh.points[:, :2] * 16).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_8, 4)
    return mask


def mesh_for(face: Face, meshes: tuple[FaceMesh, ...]) -> FaceMesh | None:
    """The mesh whose centre lies inside this face's box, if any."""
    x, y, w, h = face.box
    for m in meshes:
        cx, cy = m.points[:, :2].mean(0)
        if x - w * 0.25 <= cx <= x + w * 1.25 and y - h * 0.25 <= cy <= y + h * 1.25:
            return m
    return None


class Smoother:
    """Exponential smoothing of per-face values, matched frame to frame by nearest position.

    ``amount`` 0 means no smoothing; 0.9 means heavy. Faces that vanish are forgotten.
    """

    def __init__(self, amount: float) -> None:
        self.amount = amount
        self._tracks: list[np.ndarray] = []

    def update(self, values: list[np.ndarray]) -> list[np.ndarray]:
        """values[i][:2] must be a position; returns the smoothed values in the same order."""
        out, free = [], list(self._tracks)
        for v in values:
            best = None
            if free:
                dists = [np.hypot(*(f[:2] - v[:2])) for f in free]
                k = int(np.argmin(dists))
                if dists[k] < max(40.0, float(v[2]) if v.size > 2 else 40.0):
                    best = free.pop(k)
            if best is None:
                out.append(v.copy())
            else:
                diff = v - best
                if v.size > 3:  # keep angles continuous
                    diff[3] = (diff[3] + math.pi) % (2 * math.pi) - math.pi
                out.append(best + (1 - self.amount) * diff)
        self._tracks = out
        return [o.copy() for o in out]

    def reset(self) -> None:
        self._tracks = []
