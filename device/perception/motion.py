"""The motion that best explains how tracked points moved between two frames.

>>> src = np.array([[0, 0], [10, 0], [0, 10]], np.float32)
>>> similarity(src, src * 2 + 5).round(3).tolist()       # twice the size, shifted by 5
[[2.0, -0.0, 5.0], [0.0, 2.0, 5.0]]
"""

from __future__ import annotations

import numpy as np


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The least-squares similarity (turn, scale, shift) taking ``src`` to ``dst`` (n, 2), as a 2×3 matrix.

    Closed form (a = s cos θ, b = s sin θ from the centred points): a few array operations, where
    OpenCV's robust estimators cost several times more on a Pi for 16 points.
    """
    ms, md = src.mean(axis=0), dst.mean(axis=0)
    p, q = src - ms, dst - md
    norm = max(float((p * p).sum()), 1e-6)
    a = float((p * q).sum()) / norm
    b = float((p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]).sum()) / norm
    rot = np.array([[a, -b], [b, a]], np.float32)
    return np.hstack([rot, (md - rot @ ms)[:, None]]).astype(np.float32)
