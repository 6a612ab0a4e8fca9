"""HandLandmarker: MediaPipe's 21 hand landmarks (lite) from an upright, rotated hand crop.

Usage::

    landmarker = HandLandmarker(open_model("hand", config))       # perception.loading
    points, presence, right = landmarker.landmarks(frame.image, roi)   # (21, 3) frame pixels

The points are MediaPipe's: wrist 0; thumb CMC, MCP, IP, tip 1-4; then index, middle, ring
and pinky, each MCP, PIP, DIP, tip (5-8, 9-12, 13-16, 17-20).
"""

from __future__ import annotations

import numpy as np

from magicbooth.perception.model import ModelIO
from magicbooth.perception.roi import Roi

NUM_LANDMARKS = 21
VALUE_RANGE = (0.0, 1.0)


class HandLandmarker:
    """Runs the hand landmark model on one crop and maps the points back to the frame."""

    def __init__(self, model: ModelIO) -> None:
        model.require("landmarks", "hand_flag", "handedness")
        self.model = model
        self._side = model.input_size[0]
        self.calls = 0

    def landmarks(self, image: np.ndarray, roi: Roi) -> tuple[np.ndarray, float, float]:
        """(21, 3) points in frame pixels (z relative, at x scale), hand presence 0..1, right-handedness 0..1."""
        self.calls += 1
        outputs = self.model.run(roi.crop(image, self._side))
        raw = outputs["landmarks"].reshape(NUM_LANDMARKS, 3)
        presence = float(np.clip(outputs["hand_flag"].reshape(-1)[0], 0.0, 1.0))
        right = float(np.clip(outputs["handedness"].reshape(-1)[0], 0.0, 1.0))
        return roi.project(raw, self._side), presence, right
