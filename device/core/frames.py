"""The unit that flows through the pipeline: one RGB image with its time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Frame:
    """An H×W×3 uint8 image in RGB order, with monotonic time ``t`` in seconds.

    ``lores`` is an optional smaller RGB copy for analysis (picamera2's
    low-resolution stream); perception may use it instead of resizing ``image``.
    """

    image: np.ndarray
    t: float
    index: int
    lores: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])
