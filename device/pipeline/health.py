"""The board's temperature and throttling, polled on a thread of its own for the quality governor.

``vcgencmd`` is a subprocess (milliseconds each), so the frame loop never calls it: a monitor
reads every few seconds and the governor takes the newest reading, never waiting.

Usage::

    monitor = HealthMonitor(interval_s=5.0)
    monitor.start()
    monitor.latest          # Health(temperature_c=61.3, throttled=0x0, ...)
    monitor.stop(timeout=2.0)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from magicbooth.core import board
from magicbooth.core.errors import WorkerError


@dataclass(frozen=True, slots=True)
class Health:
    """One reading; ``None`` where the board cannot tell (not a Pi, no thermal zone)."""

    temperature_c: float | None = None
    throttled: int | None = None   # vcgencmd get_throttled's bit field

    @property
    def throttled_now(self) -> bool:
        """Under-voltage, a capped clock, throttling or the soft temperature limit in force right now."""
        return self.throttled is not None and bool(self.throttled & board.THROTTLED_NOW)

    def describe(self) -> str:
        parts = [f"{self.temperature_c:.1f} °C" if self.temperature_c is not None else "temperature unknown"]
        if self.throttled is not None:
            parts.append(f"throttled=0x{self.throttled:x}")
        return ", ".join(parts)


def read_health() -> Health:
    """Read temperature and throttling once (a subprocess on a Pi: not for the frame loop)."""
    temperature = board.read_temperature()
    return Health(temperature[0] if temperature else None, board.throttled_value())


class HealthMonitor:
    """A thread that reads ``Health`` every ``interval_s``; ``latest`` is the newest reading."""

    def __init__(self, interval_s: float = 5.0) -> None:
        self.interval_s = interval_s
        self.stopping = threading.Event()
        self.latest = Health()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self.stopping.clear()
        self._thread = threading.Thread(target=self._run, name="board-health", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """End the thread; raises ``WorkerError`` if it will not stop (a hung vcgencmd)."""
        self.stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise WorkerError(f"board health monitor did not stop within {timeout:g} s (vcgencmd hung?)")

    def __call__(self) -> Health:
        return self.latest

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.latest = read_health()
            self.stopping.wait(self.interval_s)
