"""ARM instruction counts per invoke, through the shared arm64 emulation (``count.sh``), when it is there.

Counts are deterministic and stand in for Raspberry Pi speed: Cortex-A72 (Pi 4,
no int8 dot product) and Cortex-A76 (Pi 5, with it). They are not times.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

CPUS = ("cortex-a72", "cortex-a76")
_WARM = re.compile(r"^warm #1\s+([\d,]+)", re.MULTILINE)


def count(script: Path, model: Path, cpu: str, threads: int = 1) -> int | None:
    """Instructions of one warm invoke on ``cpu`` (calling thread), or None if the run failed."""
    done = subprocess.run([str(script), "--cpu", cpu, str(model), "--threads", str(threads), "--runs", "2"],
                          capture_output=True, text=True, check=False, timeout=600)
    found = _WARM.search(done.stdout)
    return int(found.group(1).replace(",", "")) if found else None
