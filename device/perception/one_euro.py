"""The One-Euro filter (Casiez et al., CHI 2012), vectorised over any array shape.

It is a low-pass filter whose cut-off rises with speed: still faces stop
jittering, fast ones do not lag. Speed is divided by ``scale`` (the face's
size in pixels) so one setting behaves the same for near and far faces.

>>> f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
>>> f(np.array([100.0, 50.0]), t=0.0)             # the first value passes through
array([100.,  50.], dtype=float32)
>>> f(np.array([110.0, 50.0]), t=1 / 30)          # a still-face setting: a 10 px jump moves it ~1.7 px
array([101.73...,  50. ], dtype=float32)

In tracking, ``scale`` is the face's eye distance in pixels: ``f(points, t=frame.t, scale=eye_distance)``.
"""

from __future__ import annotations

import math

import numpy as np

FALLBACK_DT = 1 / 30


class OneEuroFilter:
    """Smooths successive arrays of one fixed shape; ``reset`` forgets the history."""

    def __init__(self, min_cutoff: float = 1.0, beta: float = 5.0, d_cutoff: float = 1.0) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t = 0.0

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0) -> np.ndarray:
        """Filter ``x`` observed at time ``t`` seconds; returns a new array."""
        x = np.asarray(x, np.float32)
        if self._x is None or self._x.shape != x.shape:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        if not dt > 0:
            dt = FALLBACK_DT  # repeated or unknown timestamps: assume camera rate
        self._t = t
        dx = (x - self._x) / dt
        self._dx += _alpha(self.d_cutoff, dt) * (dx - self._dx)
        speed = np.abs(self._dx) / max(scale, 1e-6)
        cutoff = self.min_cutoff + self.beta * speed
        tau = 1.0 / (2 * math.pi * cutoff)
        alpha = 1.0 / (1.0 + tau / dt)
        self._x += alpha * (x - self._x)
        return self._x.copy()


def _alpha(cutoff: float, dt: float) -> float:
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)
