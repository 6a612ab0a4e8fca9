"""Temperature, CPU clock and throttling, read once or sampled over the run.

On a Pi, ``vcgencmd`` is the authority (``get_throttled`` also says *why* it
slowed down); elsewhere sysfs thermal zones and cpufreq. A machine with
neither (a VM, this CI box) gives ``None``, which the report shows as "not
measured".
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

THERMAL = Path("/sys/class/thermal")
CPUFREQ = Path("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")
CPUINFO = Path("/proc/cpuinfo")

# Bits of ``vcgencmd get_throttled`` (Raspberry Pi firmware documentation).
THROTTLE_BITS = {
    0: "under_voltage", 1: "arm_frequency_capped", 2: "throttled", 3: "soft_temperature_limit",
    16: "under_voltage_occurred", 17: "arm_frequency_capping_occurred", 18: "throttling_occurred",
    19: "soft_temperature_limit_occurred",
}


def decode_throttled(value: int) -> dict[str, Any]:
    """``get_throttled``'s bit field as named flags (now and since boot)."""
    flags = {name: bool(value >> bit & 1) for bit, name in THROTTLE_BITS.items()}
    return {"raw": f"0x{value:x}", "source": "vcgencmd", **flags}


def vcgencmd(*args: str) -> str | None:
    """Output of ``vcgencmd ARGS`` or ``None`` where there is no such tool (or it fails)."""
    tool = shutil.which("vcgencmd")
    if tool is None:
        return None
    try:
        done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def read_throttled() -> dict[str, Any] | None:
    """Decoded throttling flags from ``vcgencmd get_throttled``; ``None`` off a Pi."""
    out = vcgencmd("get_throttled")
    match = re.search(r"throttled=(0x[0-9a-fA-F]+)", out or "")
    return decode_throttled(int(match.group(1), 16)) if match else None


def read_temperature(thermal: Path = THERMAL) -> tuple[float, str] | None:
    """(°C, where it came from): vcgencmd, else the CPU's sysfs thermal zone."""
    out = vcgencmd("measure_temp")
    match = re.search(r"temp=([-\d.]+)", out or "")
    if match:
        return float(match.group(1)), "vcgencmd"
    zones = sorted(thermal.glob("thermal_zone*"))
    preferred = [z for z in zones if _read(z / "type") in ("cpu-thermal", "x86_pkg_temp", "soc_thermal")]
    for zone in preferred + zones:
        raw = _read(zone / "temp")
        if raw and raw.lstrip("-").isdigit():
            return int(raw) / 1000.0, f"sysfs {zone.name} ({_read(zone / 'type') or 'unknown'})"
    return None


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


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None
