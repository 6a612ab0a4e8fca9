"""Temperature, CPU clock and throttling, read once or sampled over the run.

On a Pi, ``vcgencmd`` is the authority (``get_throttled`` also says *why* it
slowed down; the readers are ``core.board``'s); elsewhere sysfs thermal zones and cpufreq. A machine with
neither (a VM, this CI box) gives ``None``, which the report shows as "not
measured".
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

from magicbooth.core.board import (  # noqa: F401  (re-exported: the bench reads the board through here)
    THERMAL,
    THROTTLE_BITS,
    decode_throttled,
    read_temperature,
    read_text,
    read_throttled,
    vcgencmd,
)

CPUFREQ = Path("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")
CPUINFO = Path("/proc/cpuinfo")
_read = read_text


def read_clock_mhz(cpufreq: Path = CPUFREQ, cpuinfo: Path = CPUINFO) -> tuple[float, str] | None:
    """(MHz, where it came from): vcgencmd, cpufreq, else /proc/cpuinfo's (often nominal) figure."""
    out = vcgencmd("measure_clock", "arm")
    match = re.search(r"=(\d+)", out or "")
    if match:
        return int(match.group(1)) / 1e6, "vcgencmd"
    raw = _read(cpufreq)
    if raw and raw.isdigit():
        return int(raw) / 1000.0, "cpufreq"
    text = _read(cpuinfo) or ""
    match = re.search(r"cpu MHz\s*:\s*([\d.]+)", text)
    if match:
        return float(match.group(1)), "cpuinfo"
    return None


class ThermalSampler:
    """A thread that records temperature, clock and throttling every ``interval_s``.

    ``phase`` names what the benchmark is doing, so a chart can show which
    stage heated the board.

    Usage::

        sampler = ThermalSampler(1.0)
        sampler.start()
        ...                                 # the benchmark
        sampler.stop()
        sampler.samples                     # one dict per second
    """

    def __init__(self, interval_s: float = 1.0) -> None:
        self.interval_s = interval_s
        self.phase = "start"
        self.samples: list[dict[str, Any]] = []
        self.temperature_source: str | None = None
        self.clock_source: str | None = None
        self.stopping = threading.Event()
        self._began = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="bench-thermal", daemon=True)

    def start(self) -> None:
        self._began = time.monotonic()
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Take a last sample and end the thread; raises if it will not stop."""
        self.stopping.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            from magicbooth.core.errors import WorkerError

            raise WorkerError(f"thermal sampler did not stop within {timeout:g} s (vcgencmd hung?)")
        self.sample()

    def sample(self) -> dict[str, Any]:
        """Read everything once and append it."""
        temp = read_temperature()
        clock = read_clock_mhz()
        throttled = read_throttled()
        if temp:
            self.temperature_source = temp[1]
        if clock:
            self.clock_source = clock[1]
        record = {"t": round(time.monotonic() - self._began, 3), "phase": self.phase,
                  "temperature_c": temp[0] if temp else None, "clock_mhz": clock[0] if clock else None,
                  "throttled": throttled["raw"] if throttled else None}
        self.samples.append(record)
        return record

    def as_dict(self) -> dict[str, Any]:
        temps = [s["temperature_c"] for s in self.samples if s["temperature_c"] is not None]
        clocks = [s["clock_mhz"] for s in self.samples if s["clock_mhz"] is not None]
        return {
            "interval_s": self.interval_s,
            "temperature_source": self.temperature_source,
            "clock_source": self.clock_source,
            "temperature_c": ({"start": temps[0], "max": max(temps), "end": temps[-1]} if temps else None),
            "clock_mhz": ({"start": clocks[0], "min": min(clocks), "end": clocks[-1]} if clocks else None),
            "throttled_at_end": read_throttled(),
            "samples": self.samples,
        }

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.interval_s)
