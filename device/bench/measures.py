"""Measurement records: a number is only reported when it was really measured.

Every record carries ``status``: ``measured`` or ``not_measured`` with a
``reason``. A missing camera or encoder is never a zero or a pass.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from magicbooth.core.errors import BenchError

MEASURED = "measured"
NOT_MEASURED = "not_measured"

Record = dict[str, Any]


def measured(**fields: Any) -> Record:
    """A record of something that was measured."""
    return {"status": MEASURED, **fields}


def not_measured(reason: str, **fields: Any) -> Record:
    """A record of something that could not be measured here, and why."""
    return {"status": NOT_MEASURED, "reason": reason, **fields}


def is_measured(record: Record | None) -> bool:
    return bool(record and record.get("status") == MEASURED)


def stage_cpu_ms(record: Record) -> float | str:
    """A measured stage's CPU ms per frame (whole-run or per-frame median); '-' where it has none."""
    if "cpu_ms_per_frame" in record:
        return record["cpu_ms_per_frame"]
    return record["cpu_ms"]["median"] if "cpu_ms" in record else "-"


def percentile(ordered: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` (0..100) of already sorted values."""
    if not ordered:
        raise ValueError("percentile of no samples")
    pos = (len(ordered) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarize(samples: Sequence[float]) -> Record:
    """Count, mean, median, p90, p99, standard deviation, min and max of ``samples`` (ms)."""
    if not samples:
        raise ValueError("summarize needs at least one sample")
    ordered = sorted(float(s) for s in samples)
    n = len(ordered)
    mean = sum(ordered) / n
    var = sum((s - mean) ** 2 for s in ordered) / (n - 1) if n > 1 else 0.0
    return {"n": n, "mean": _r(mean), "median": _r(percentile(ordered, 50)), "p90": _r(percentile(ordered, 90)),
            "p99": _r(percentile(ordered, 99)), "stddev": _r(math.sqrt(var)), "min": _r(ordered[0]),
            "max": _r(ordered[-1])}


def rounded(samples: Sequence[float], digits: int = 3) -> list[float]:
    """Samples rounded for the JSON file (microsecond resolution is plenty)."""
    return [round(float(s), digits) for s in samples]


def _r(x: float) -> float:
    return round(x, 4)


def read_json(path: Path, missing: str, kind: str) -> Any:
    """Parse a JSON file given on the command line; one clear ``BenchError`` line when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BenchError(f"{path}: {missing}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BenchError(f"{path}: not a readable JSON {kind}: {exc}") from None
