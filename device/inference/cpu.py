"""Which class of CPU this is, for picking the int8 graph that is cheapest on it.

XNNPACK's int8 kernels differ most by one feature: the int8 dot product
(``SDOT``, ``asimddp`` in ``/proc/cpuinfo``). Cortex-A76 (Raspberry Pi 5) has
it and runs int8 convolutions in about half float's instructions; Cortex-A72
(Pi 4) and A53 (Pi 3, Zero 2) lack it and int8 convolutions cost about what
float ones do. So the model factory builds one int8 graph per class, each with
the float islands cheapest there (``models_tflite/REPORT.md``), and the loader
picks by class. x86-64 runs whichever graph measured fastest on the build
machine (the manifest says which). The systemd units leave ``/proc/cpuinfo``
visible (no ``ProcSubset=pid``) so the service sees the same class.

>>> cpu_class(Path("/nonexistent"), machine="aarch64")
'arm'
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
DEFAULT = "arm"  # what an unknown CPU gets: the graph that is no worse where int8 is slow
CLASSES: dict[str, str] = {
    "arm": "ARM without int8 dot product (Cortex-A72: Raspberry Pi 4; A53: Pi 3, Zero 2)",
    "arm_dotprod": "ARM with int8 dot product, asimddp (Cortex-A76: Raspberry Pi 5)",
    "x86_64": "x86-64 (the graph that measured fastest on the build machine)",
}
# The core each ARM class's instruction counts are made on (the manifest's [instructions] keys; the model report
# and ``magicbooth bench --arm-counts`` hold each class's graph to its target on its core).
COUNTED_CORE: dict[str, str] = {"arm": "cortex-a72", "arm_dotprod": "cortex-a76"}
# The per-class target: int8/float ARM instructions on the class's counted core at most this.
INSTRUCTION_TARGETS: dict[str, float] = {"arm": 0.9, "arm_dotprod": 0.7}
_ARM = ("aarch64", "arm64", "armv7l", "armv8l", "armv6l")
_X86 = ("x86_64", "AMD64")


@dataclass(frozen=True)
class CpuClass:
    """The class and the evidence for it, for logs, ``doctor`` and ``bench``."""

    name: str
    evidence: str  # e.g. "aarch64, asimddp in /proc/cpuinfo"

    @property
    def description(self) -> str:
        return CLASSES.get(self.name, self.name)

    def describe(self) -> str:
        return f"{self.name} ({self.evidence})"


def detect(cpuinfo: Path = CPUINFO, machine: str | None = None) -> CpuClass:
    """This machine's class: ARM with or without ``asimddp``, x86-64, else the default."""
    machine = machine or platform.machine()
    if machine in _X86:
        return CpuClass("x86_64", machine)
    if machine not in _ARM:
        return CpuClass(DEFAULT, f"{machine}: unknown, so the default")
    features = _features(cpuinfo)
    if features is None:
        return CpuClass(DEFAULT, f"{machine}, {cpuinfo} unreadable: assumed without dot product")
    if "asimddp" in features:
        return CpuClass("arm_dotprod", f"{machine}, asimddp in {cpuinfo}")
    return CpuClass("arm", f"{machine}, no asimddp in {cpuinfo}")


def cpu_class(cpuinfo: Path = CPUINFO, machine: str | None = None) -> str:
    """The class name only (see ``detect``)."""
    return detect(cpuinfo, machine).name


def _features(cpuinfo: Path) -> set[str] | None:
    """The first ``Features`` line's words (ARM's name for the flags), or None if the file cannot be read."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "Features":
            return set(value.split())
    return set()
