"""Exponential backoff with jitter, so a fleet of booths does not retry in lockstep after an outage.

>>> delays = Backoff(2.0, 600.0)
>>> [1 <= delays.next() <= 2, 2 <= delays.next() <= 4, 4 <= delays.next() <= 8]
[True, True, True]
>>> delays.failures = 20; 300 <= delays.next() <= 600          # capped at max_s
True
>>> delays.reset(); 1 <= delays.next() <= 2                      # a success starts over
True
"""

from __future__ import annotations

import random


class Backoff:
    """Delay n is uniform in [d/2, d] with d = min(max_s, min_s * 2**n) ("equal jitter")."""

    def __init__(self, min_s: float, max_s: float, rng: random.Random | None = None) -> None:
        if min_s <= 0 or max_s < min_s:
            raise ValueError(f"backoff needs 0 < min_s <= max_s, got {min_s}, {max_s}")
        self.min_s = min_s
        self.max_s = max_s
        self._rng = rng or random.Random()
        self.failures = 0

    def next(self) -> float:
        """The wait before the next attempt; each call counts one more failure."""
        ceiling = min(self.max_s, self.min_s * 2.0 ** min(self.failures, 60))
        self.failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        """A success: the next failure starts from ``min_s`` again."""
        self.failures = 0
