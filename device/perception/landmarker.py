"""FaceLandmarker: Face Mesh's 468 points from an upright, rotated face crop.

Usage::

    landmarker = FaceLandmarker(open_model("landmarks", config))     # perception.loading
    points, presence = landmarker.landmarks(frame.image, roi)         # (468, 3) frame pixels
"""

from __future__ import annotations

import numpy as np

from magicbooth.perception.model import ModelIO
from magicbooth.perception.roi import Roi

NUM_LANDMARKS = 468
VALUE_RANGE = (0.0, 1.0)


class FaceLandmarker:
    """Runs the mesh model on one region of interest and maps the points back to the frame."""

    def __init__(self, model: ModelIO) -> None:
        self.model = model
        self._side = model.input_size[0]
        model.require("landmarks", "face_flag")
        self.calls = 0

    def landmarks(self, image: np.ndarray, roi: Roi) -> tuple[np.ndarray, float]:
        """(468, 3) points in frame pixels (z in pixels, relative) and the face presence 0..1."""
        self.calls += 1
        outputs = self.model.run(roi.crop(image, self._side))
        raw = outputs["landmarks"].reshape(NUM_LANDMARKS, 3)
        logit = max(-80.0, min(80.0, float(outputs["face_flag"].reshape(-1)[0])))
        return roi.project(raw, self._side), 1.0 / (1.0 + np.exp(-logit))
