"""Power while the booth runs, where the board can tell (a Pi 5's PMIC through ``vcgencmd pmic_read_adc``).

A thread samples the rails' power every ``interval_s``; the mean over a measured window, times 60 s,
is the energy one minute of recording costs. Elsewhere every figure is ``None``: not measured.

Usage::

    sampler = PowerSampler(0.5)
    sampler.start()
    ...                                  # the measured window
    watts = sampler.stop()               # mean W, or None where the board cannot tell
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from magicbooth.core import board
from magicbooth.core.errors import WorkerError

SOURCE = "vcgencmd pmic_read_adc (sum of the PMIC rails' V × I: SoC, CPU, memory, I/O; not conversion losses or " \
         "USB devices)"


class PowerSampler:
    """Mean board power over a window; ``None`` where there is no PMIC to ask."""

    def __init__(self, interval_s: float = 0.5, read: Callable[[], float | None] = board.read_power_w) -> None:
        self.interval_s = interval_s
        self.samples: list[float] = []
        self.stopping = threading.Event()
        self._read = read
        self._thread = threading.Thread(target=self._run, name="bench-power", daemon=True)

    def start(self) -> None:
        first = self._read()
        if first is None:
            return   # not a board that can tell: no thread, no samples
        self.samples.append(first)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> float | None:
        """End sampling; the mean watts over the window (None: not measured)."""
        self.stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise WorkerError(f"power sampler did not stop within {timeout:g} s (vcgencmd hung?)")
        return sum(self.samples) / len(self.samples) if self.samples else None

    def _run(self) -> None:
        while not self.stopping.wait(self.interval_s):
            watts = self._read()
            if watts is not None:
                self.samples.append(watts)


def joules_per_minute(watts: float | None) -> float | None:
    """Energy of one minute of recording at ``watts`` (None stays None)."""
    return None if watts is None else round(watts * 60.0, 1)
