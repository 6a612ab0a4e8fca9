"""What this machine is: board, CPU, memory, OS, Python, LiteRT and the CPU governor.

Results of two runs only compare when these match, so the report starts here.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from magicbooth.bench import thermal
from magicbooth.core.machine import board_model
from magicbooth.inference.cpu import detect

# ARM "CPU part" ids of the cores a booth is likely to meet.
ARM_PARTS = {"0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57",
             "0xd08": "Cortex-A72", "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76",
             "0xd0d": "Cortex-A77", "0xd41": "Cortex-A78"}


def collect(proc: Path = Path("/proc"), sys_cpu: Path = Path("/sys/devices/system/cpu")) -> dict[str, Any]:
    """Everything about the device that changes what the numbers mean."""
    temp = thermal.read_temperature()
    throttled = thermal.read_throttled()
    cls = detect(proc / "cpuinfo")
    return {
        "board": board_model() or None,
        "cpu": cpu_name(proc / "cpuinfo"),
        "cpu_class": cls.name,  # which int8 graphs the loader picks here (magicbooth.inference.cpu)
        "cpu_class_evidence": cls.evidence,
        "machine": platform.machine(),
        "cores": os.cpu_count() or 1,
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
        "ram_mb": ram_mb(proc / "meminfo"),
        "os": os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "litert": litert_version(),
        "numpy": _version("numpy"),
        "av": _version("av"),
        "pygame": _version("pygame"),
        "xnnpack": None,  # filled in from the model benchmark: were any ops delegated?
        "governor": governor(sys_cpu),
        "temperature_c": temp[0] if temp else None,
        "temperature_source": temp[1] if temp else None,
        "throttled": throttled,
    }


def cpu_name(cpuinfo: Path) -> str:
    """``model name`` on x86; the core type from ``CPU part`` on ARM."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return platform.processor() or platform.machine()
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    if "model name" in fields:
        return fields["model name"]
    part = fields.get("CPU part", "").lower()
    if part:
        return ARM_PARTS.get(part, f"ARM CPU part {part}")
    return fields.get("Hardware") or platform.processor() or platform.machine()


def ram_mb(meminfo: Path) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def os_name(os_release: Path = Path("/etc/os-release")) -> str:
    try:
        for line in os_release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.partition("=")[2].strip().strip('"')
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}"


def litert_version() -> str | None:
    """``ai-edge-litert`` (or the ``tflite-runtime`` fallback) as ``name version``."""
    for dist in ("ai-edge-litert", "tflite-runtime"):
        version = _version(dist)
        if version:
            return f"{dist} {version}"
    return None


def governor(sys_cpu: Path) -> str | None:
    """cpu0's cpufreq governor (``ondemand`` on a stock Pi, ``performance`` for stable numbers)."""
    try:
        return (sys_cpu / "cpu0" / "cpufreq" / "scaling_governor").read_text().strip() or None
    except OSError:
        return None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
