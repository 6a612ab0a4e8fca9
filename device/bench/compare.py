"""``--compare PREV.json``: what changed since an earlier run, metric by metric.

Only numbers measured in both runs are compared; anything measured in one
run only is listed as such, never as a change from or to zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from magicbooth.bench.measures import is_measured, read_json
from magicbooth.bench.schema import SCHEMA_ID, SCHEMA_VERSION
from magicbooth.core.errors import BenchError

SAME_WITHIN_PERCENT = 3.0


def load_report(path: str | Path) -> dict[str, Any]:
    """Read an earlier report; one clear error if it is not one of ours."""
    path = Path(path)
    data = read_json(path, "no such report; give a JSON file written by 'magicbooth bench --json'", "report")
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID:
        raise BenchError(f"{path}: not a magicbooth bench report (expected \"schema\": \"{SCHEMA_ID}\")")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise BenchError(f"{path}: report schema version {data.get('schema_version')} cannot be compared with "
                         f"version {SCHEMA_VERSION}; rerun the benchmark with this version")
    return data


def metrics(report: dict[str, Any]) -> dict[str, tuple[float | None, str, str]]:
    """Flat metric name -> (value or None if not measured, unit, which direction is better)."""
    out: dict[str, tuple[float | None, str, str]] = {}
    e2e = report.get("end_to_end", {})
    live = is_measured(e2e)
    for key, unit, better in (("fps", "fps", "higher"), ("cpu_ms_per_frame", "ms", "lower"),
                              ("peak_rss_mb", "MB", "lower"), ("dropped_frames", "frames", "lower")):
        out[f"end to end {key}"] = (e2e.get(key) if live else None, unit, better)
    for q in ("median", "p90", "p99"):
        out[f"end to end latency {q}"] = (e2e["latency_ms"][q] if live else None, "ms", "lower")
    for record in report.get("models", []):
        label = f"model {record['name']} {record['variant']} ×{record['threads']}"
        ok = is_measured(record)
        out[f"{label} warm median"] = (record["warm_ms"]["median"] if ok else None, "ms", "lower")
        cpu = record.get("warm_cpu_ms") if ok else None
        out[f"{label} warm CPU median"] = (cpu["median"] if cpu else None, "ms", "lower")
        out[f"{label} init"] = (record["init_ms"] if ok else None, "ms", "lower")
    for record in report.get("stages", []):
        ok = is_measured(record)
        out[f"stage {record['name']} median"] = (record["ms"]["median"] if ok else None, "ms", "lower")
        if "fps" in record or not ok:
            out[f"stage {record['name']} fps"] = (record.get("fps") if ok else None, "fps", "higher")
    return out


def compare(before: dict[str, Any], after: dict[str, Any], against: str = "") -> dict[str, Any]:
    """The ``compare`` section: one row per metric present in either report."""
    old, new = metrics(before), metrics(after)
    rows = []
    for name in [*new, *(k for k in old if k not in new)]:
        b = old.get(name, (None, "", ""))[0]
        a, unit, better = new.get(name, old.get(name, (None, "", "lower")))
        if a is None and b is None:
            continue
        row: dict[str, Any] = {"metric": name, "unit": unit, "before": b, "after": a, "better": better}
        if a is None or b is None:
            row.update(delta=None, delta_percent=None,
                       change="only before" if a is None else "only now")
        else:
            delta = a - b
            pct = 100.0 * delta / b if b else None
            row.update(delta=round(delta, 4), delta_percent=None if pct is None else round(pct, 1),
                       change=_change(delta, pct, better))
        rows.append(row)
    return {"against": against, "against_created": before.get("created"),
            "same_device": before.get("device", {}).get("cpu") == after.get("device", {}).get("cpu"),
            "rows": rows}


def _change(delta: float, pct: float | None, better: str) -> str:
    if delta == 0 or (pct is not None and abs(pct) < SAME_WITHIN_PERCENT):
        return "same"
    improved = delta < 0 if better == "lower" else delta > 0
    return "better" if improved else "worse"
