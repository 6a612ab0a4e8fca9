"""What perception hands to effects: faces, meshes and a person mask.

All coordinates are in frame pixels. ``right``/``left`` keypoints are from the
subject's point of view, as MediaPipe names them, so on an unmirrored frame the
subject's right eye is on the image's left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from magicbooth.core.frames import Frame

KEYPOINT_NAMES = ("right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear_tragion", "left_ear_tragion")


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face: box (x, y, w, h), score in 0..1, six named keypoints."""

    box: tuple[float, float, float, float]
    score: float
    keypoints: dict[str, tuple[float, float]]


@dataclass(frozen=True, slots=True)
class FaceMesh:
    """468 face landmarks as a (468, 3) float32 array: x, y in pixels, z relative depth."""

    points: np.ndarray
    presence: float = 1.0


@dataclass(frozen=True, slots=True)
class Scene:
    """One frame plus what the models found in it; ``timings`` are milliseconds per stage."""

    frame: Frame
    faces: tuple[Face, ...] = ()
    meshes: tuple[FaceMesh, ...] = ()
    mask: np.ndarray | None = None
    timings: dict[str, float] = field(default_factory=dict)
