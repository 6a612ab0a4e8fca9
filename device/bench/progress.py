"""A progress bar over the benchmark's phases (tqdm), weighted by how long each phase takes."""

from __future__ import annotations

import sys
from collections.abc import Callable

from tqdm import tqdm


class Progress:
    """Phases with weights; inside a phase, ``tick`` steps or ``fraction`` time-based progress.

    Usage::

        progress = Progress({"models": 3.0, "stages": 1.0}, enabled=True)
        tick = progress.phase("models", steps=24)
        tick()                              # once per step; or progress.fraction(0.5) for time-based phases
        progress.close()
    """

    def __init__(self, weights: dict[str, float], *, enabled: bool = True) -> None:
        self._weights = weights
        self._total = sum(weights.values()) or 1.0
        self._done = 0.0
        self._phase = ""
        self._steps = 1
        self._step = 0
        self._bar = tqdm(total=1000, disable=not enabled, file=sys.stderr, leave=False,
                         bar_format="{desc:<28} {percentage:3.0f}%|{bar}| {elapsed}<{remaining}", dynamic_ncols=True)
        self.when_phase: Callable[[str], None] | None = None

    def phase(self, name: str, steps: int = 1) -> Callable[[], None]:
        """Start phase ``name`` (ending the previous one); returns its tick function."""
        self._finish_phase()
        self._phase, self._steps, self._step = name, max(1, steps), 0
        self._bar.set_description_str(name)
        if self.when_phase is not None:
            self.when_phase(name)
        return self.tick

    def tick(self) -> None:
        self._step = min(self._step + 1, self._steps)
        self._show(self._step / self._steps)

    def fraction(self, done: float) -> None:
        """Time-based progress within the current phase (0..1)."""
        self._show(max(0.0, min(1.0, done)))

    def close(self) -> None:
        self._finish_phase()
        self._bar.close()

    def _finish_phase(self) -> None:
        if self._phase:
            self._done += self._weights.get(self._phase, 0.0)
            self._phase = ""
            self._show(0.0)

    def _show(self, within: float) -> None:
        weight = self._weights.get(self._phase, 0.0) if self._phase else 0.0
        target = round(1000 * (self._done + weight * within) / self._total)
        if target > self._bar.n:
            self._bar.update(target - self._bar.n)
