"""Alpha blending of uint8 pictures: the one blend every effect and the compositing kit use.

``cv2.blendLinear`` with a single-channel float weight. Measured against the alternative it
replaced (three SIMD passes: subtract to float, multiply by an (H, W, 3) weight, saturating add),
640×480, one thread: x86 (OpenCV 5.0) 1.44 against 1.46 ms (1.79 ms counting the weight's
three-channel copy); Cortex-A72 instructions (``/work/shared/tools/arm64/markrun.sh``) 4.0 M
against 9.2–10.1 M on OpenCV 5.1, and 5.1 M against 17.1–17.8 M on OpenCV 4.11, the version
the Pi's lock installs. So blendLinear it is.
"""

from __future__ import annotations

import cv2
import numpy as np


def blend(front: np.ndarray, back: np.ndarray, alpha: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``front * alpha + back * (1 - alpha)`` for uint8 pictures and a float32 (H, W) alpha in 0..1.

    ``out`` may be a reused frame-sized buffer (a fresh allocation per frame costs page faults) or
    ``back`` itself, for blending in place; a view into a larger picture cannot be written by
    OpenCV, so assign those: ``region[:] = blend(art, region, a)``.

    >>> back, front = np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 3), 200, np.uint8)
    >>> int(blend(front, back, np.full((2, 2), 0.5, np.float32))[0, 0, 0])
    100
    """
    alpha = np.asarray(alpha, np.float32)   # views of larger pictures are read in place (OpenCV follows strides)
    return cv2.blendLinear(front, back, alpha, 1.0 - alpha, dst=out)
