"""The board's health, read where it can be: temperature, throttling, power.

On a Pi, ``vcgencmd`` is the authority (``get_throttled`` also says *why* it slowed down; a
Pi 5's ``pmic_read_adc`` gives each supply rail's voltage and current); elsewhere the sysfs
thermal zone. A machine with neither (a VM, this CI box) gives ``None``: not measured, never 0.
The benchmark (``bench.thermal``) and the quality governor (``pipeline.health``) read through here.

>>> decode_throttled(0x50005)["throttled"], decode_throttled(0x50005)["under_voltage_occurred"]
(True, True)
>>> round(rails_power_w("VDD_CORE_A current(7)=2.0A\\nVDD_CORE_V volt(15)=0.8V\\nEXT5V_V volt(24)=5.1V"), 3)
1.6
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

THERMAL = Path("/sys/class/thermal")

# Bits of ``vcgencmd get_throttled`` (Raspberry Pi firmware documentation).
THROTTLE_BITS = {
    0: "under_voltage", 1: "arm_frequency_capped", 2: "throttled", 3: "soft_temperature_limit",
    16: "under_voltage_occurred", 17: "arm_frequency_capping_occurred", 18: "throttling_occurred",
    19: "soft_temperature_limit_occurred",
}
THROTTLED_NOW = 0xF  # bits 0-3: the conditions in force right now
_RAIL = re.compile(r"^\s*(\S+)_([AV])\s*(?:current|volt|voltage)?(?:\(\d+\))?\s*=\s*([-\d.]+)\s*[AV]\s*$",
                   re.MULTILINE)


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


def decode_throttled(value: int) -> dict[str, Any]:
    """``get_throttled``'s bit field as named flags (now and since boot)."""
    flags = {name: bool(value >> bit & 1) for bit, name in THROTTLE_BITS.items()}
    return {"raw": f"0x{value:x}", "source": "vcgencmd", **flags}


def throttled_value() -> int | None:
    """The raw ``get_throttled`` bit field; ``None`` off a Pi."""
    match = re.search(r"throttled=(0x[0-9a-fA-F]+)", vcgencmd("get_throttled") or "")
    return int(match.group(1), 16) if match else None


def read_throttled() -> dict[str, Any] | None:
    """Decoded throttling flags from ``vcgencmd get_throttled``; ``None`` off a Pi."""
    value = throttled_value()
    return decode_throttled(value) if value is not None else None


def read_temperature(thermal: Path = THERMAL) -> tuple[float, str] | None:
    """(°C, where it came from): vcgencmd, else the CPU's sysfs thermal zone."""
    out = vcgencmd("measure_temp")
    match = re.search(r"temp=([-\d.]+)", out or "")
    if match:
        return float(match.group(1)), "vcgencmd"
    zones = sorted(thermal.glob("thermal_zone*"))
    preferred = [z for z in zones if read_text(z / "type") in ("cpu-thermal", "x86_pkg_temp", "soc_thermal")]
    for zone in preferred + zones:
        raw = read_text(zone / "temp")
        if raw and raw.lstrip("-").isdigit():
            return int(raw) / 1000.0, f"sysfs {zone.name} ({read_text(zone / 'type') or 'unknown'})"
    return None


def rails_power_w(text: str) -> float | None:
    """Watts from ``pmic_read_adc`` output: the sum of voltage × current over rails that report both.

    The PMIC's own rails (SoC, CPU, memory, I/O): what the work in this process changes. Conversion
    losses and 5 V peripherals (USB, the camera, a display) are not in it.
    """
    volts: dict[str, float] = {}
    amps: dict[str, float] = {}
    for name, unit, value in _RAIL.findall(text):
        (amps if unit == "A" else volts)[name] = float(value)
    paired = [volts[name] * amps[name] for name in amps if name in volts]
    return float(sum(paired)) if paired else None


def read_power_w() -> float | None:
    """The board's PMIC rail power in watts (a Pi 5); ``None`` where the board cannot tell."""
    out = vcgencmd("pmic_read_adc")
    return rails_power_w(out) if out else None


def read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None
