"""Whether a face's last mesh still holds: the face kept still, or only moved as a whole.

The mesh model costs about 23 M instructions a face on a Pi 4. Between two frames a guest's
face mostly keeps its expression and moves a little as a whole, and then the last mesh, moved
the same way, is what the model would say. This looks at a small grey crop of the face (48
pixels square, the model's own crop scaled down) as it was when the model last ran, and at
the same place now: sparse optical flow gives the similarity (shift, scale, turn) the face
made, and the crop taken through that motion must match the old one in every 3×3 cell
(``LEVEL`` grey levels: noise passes, an opening mouth, a blink or a turning head does not).
Then the mesh is carried by the motion instead of running the model. The tracker runs the
model anyway after ``reuse`` carried frames in a row, so nothing the check misses lasts.

Usage::

    reference = Reference.take(image, roi)                  # when the model ran on this face
    motion = reference.motion(image_now)                    # frame-pixel 2×3, or None: run the model
    points = carry(points_then, motion)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.perception.motion import similarity
from magicbooth.perception.roi import Roi

SIZE = 48          # side of the grey face crop compared (the face is about two thirds of it)
CELLS = 16         # the crops are compared on a CELLS × CELLS grid of cell means
LEVEL = 8.0        # a cell that changed by this many grey levels (0-255) means the face did more than move
GRID = 4           # GRID × GRID flow points over the middle of the crop
INNER = 0.5        # ... spread over this share of it (the face, not the background behind it)
WINDOW = (9, 9)
FIT_ERROR = 1.0    # crop pixels a point may be off the fitted motion
AGREE = 0.75       # share of the points that must agree

_UNIT = np.stack(np.meshgrid(np.linspace(-0.5, 0.5, GRID), np.linspace(-0.5, 0.5, GRID)), -1).reshape(-1, 2)
_POINTS = (_UNIT * INNER * SIZE + SIZE / 2).astype(np.float32).reshape(-1, 1, 2)
_HALF = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])
_MINUS_HALF = np.array([[1.0, 0.0, -0.5], [0.0, 1.0, -0.5], [0.0, 0.0, 1.0]])


@dataclass(frozen=True, slots=True)
class Reference:
    """The face as the mesh model last saw it: the crop's map into the frame and its grey pixels."""

    to_frame: np.ndarray   # 3×3, crop pixel centres -> frame pixels
    grey: np.ndarray       # SIZE × SIZE uint8
    cells: np.ndarray      # CELLS × CELLS float32 means

    @classmethod
    def take(cls, image: np.ndarray, roi: Roi) -> Reference:
        to_frame = np.vstack([roi.to_frame(SIZE).astype(np.float64), (0.0, 0.0, 1.0)])
        grey = _crop(image, to_frame)
        return cls(to_frame, grey, _cells(grey))

    def motion(self, image: np.ndarray) -> np.ndarray | None:
        """The frame-pixel similarity (2×3) that explains how the face changed since, or None."""
        now = _crop(image, self.to_frame)
        found = cv2.calcOpticalFlowPyrLK(self.grey, now, _POINTS, None, winSize=WINDOW, maxLevel=1)  # type: ignore
        ahead, ok = np.asarray(found[0]), np.asarray(found[1])[:, 0] == 1
        src, dst = _POINTS[ok, 0], ahead[ok, 0]
        if len(src) < AGREE * len(_POINTS):
            return None
        step = similarity(src, dst)
        if np.abs(src @ step[:, :2].T + step[:, 2] - dst).max(axis=1).mean() > FIT_ERROR:
            return None
        # the step is in OpenCV's crop pixels (centres on integers); to_frame's pixel centres are at +0.5
        step3 = _HALF @ np.vstack([step.astype(np.float64), (0.0, 0.0, 1.0)]) @ _MINUS_HALF
        moved = self.to_frame @ step3  # the old crop's pixels, where they are now
        if np.abs(_cells(_crop(image, moved)) - self.cells).max() >= LEVEL:
            return None
        return (moved @ np.linalg.inv(self.to_frame))[:2].astype(np.float32)


def carry(points: np.ndarray, motion: np.ndarray) -> np.ndarray:
    """(N, 3) mesh points moved by a frame-pixel similarity; depth scales with it."""
    out = points.astype(np.float32).copy()
    out[:, :2] = points[:, :2] @ motion[:, :2].T + motion[:, 2]
    out[:, 2] *= float(np.hypot(motion[0, 0], motion[1, 0]))
    return out


def _crop(image: np.ndarray, to_frame: np.ndarray) -> np.ndarray:
    """The SIZE × SIZE grey crop whose pixel centres ``to_frame`` (3×3) maps into the frame."""
    m = to_frame[:2].copy()
    m[:, 2] += m[:, :2] @ np.array([0.5, 0.5]) - 0.5  # OpenCV puts pixel centres on integers
    rgb = cv2.warpAffine(image, m, (SIZE, SIZE), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                         borderMode=cv2.BORDER_REPLICATE)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _cells(grey: np.ndarray) -> np.ndarray:
    return cv2.resize(grey, (CELLS, CELLS), interpolation=cv2.INTER_AREA).astype(np.float32)
