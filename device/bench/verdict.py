"""Pass or fail against the frame budget, naming the stage that costs the most.

Stages of the live pipeline run in parallel (capture, model workers, the
main loop, the encoder thread), so throughput is set by the slowest of them; a
frame fits when every one of them fits in the budget at p90, the run held the
source's frame rate without drops, and CPU and memory stay under target.
A run missing a component (no effect, no perception) is never a pass.
"""

from __future__ import annotations

from typing import Any

from magicbooth.bench.measures import Record, is_measured


def target(name: str, value: float | None, limit: float, unit: str, *, at_least: bool = False) -> dict[str, Any]:
    """One target line: measured value against its limit."""
    if value is None:
        return {"name": name, "value": None, "limit": limit, "unit": unit, "status": "not_measured",
                "comparison": ">=" if at_least else "<="}
    ok = value >= limit if at_least else value <= limit
    return {"name": name, "value": value, "limit": limit, "unit": unit, "status": "pass" if ok else "fail",
            "comparison": ">=" if at_least else "<="}


def bottleneck(end_to_end: Record, stages: list[Record]) -> dict[str, Any] | None:
    """The costliest stage at p90: the live run's loop stages and model workers, plus the encoder it used.

    The encoder's per-frame cost comes from the per-stage table (the recorder
    does not time single frames); without a live run, the per-stage table alone.
    """
    candidates: dict[str, float] = {}
    if is_measured(end_to_end):
        for name, stats in {**end_to_end["stage_ms"], **end_to_end.get("worker_ms", {})}.items():
            candidates[name] = stats["p90"]
        for record in stages:
            if is_measured(record) and record["name"] == f"encode {end_to_end['encoder']}":
                candidates[f"{record['name']} (recorder thread)"] = record["ms"]["p90"]
        source = "end_to_end"
    else:
        for record in stages:
            if is_measured(record) and record["name"] != "perception total":
                candidates[record["name"]] = record["ms"]["p90"]
        source = "stages"
    if not candidates:
        return None
    name = max(candidates, key=lambda k: candidates[k])
    return {"stage": name, "p90_ms": round(candidates[name], 3), "from": source}


def judge(end_to_end: Record, stages: list[Record], *, budget_ms: float, cpu_ms_target: float,
          rss_mb_target: float) -> dict[str, Any]:
    """The verdict section of the report."""
    worst = bottleneck(end_to_end, stages)
    live = is_measured(end_to_end)
    frame_p90 = worst["p90_ms"] if (worst and live) else None
    fps_need = round(end_to_end.get("target_fps", 30.0) * 0.985, 2) if live else round(1000.0 / budget_ms * 0.985, 2)
    targets = [
        target("slowest stage p90 (frame budget)", frame_p90, round(budget_ms, 2), "ms"),
        target("sustained fps", end_to_end.get("fps") if live else None, fps_need, "fps", at_least=True),
        target("dropped frames", end_to_end.get("dropped_frames") if live else None, 0, "frames"),
        target("CPU per frame, all threads", end_to_end.get("cpu_ms_per_frame") if live else None,
               cpu_ms_target, "ms"),
        target("peak RSS", end_to_end.get("peak_rss_mb") if live else None, rss_mb_target, "MB"),
    ]
    missing = list(end_to_end.get("missing", [])) if live else []
    if not live:
        status = "not_measured"
        why = end_to_end.get("reason", "the end-to-end run was not made")
    elif any(t["status"] == "fail" for t in targets):
        status = "fail"
        why = "; ".join(f"{t['name']} {t['value']} {t['unit']} (limit {t['comparison']} {t['limit']})"
                        for t in targets if t["status"] == "fail")
    elif missing:
        status = "incomplete"
        why = "targets met, but the run lacked: " + "; ".join(missing)
    else:
        status = "pass"
        why = "every target met"
    busy = contention(end_to_end) if live else None
    if busy and busy["other_cores"] >= 0.5 and status != "pass":
        why += (f" — note: other processes kept {busy['other_cores']:.1f} of {busy['cores']} cores busy during the "
                "run, so fps, drops and latency here reflect a shared machine; CPU per frame does not")
    return {"status": status, "budget_ms": round(budget_ms, 3), "bottleneck": worst, "targets": targets,
            "summary": why, "contention": busy}


def contention(end_to_end: Record) -> dict[str, Any] | None:
    """How many cores other processes used during the live run (system-wide busy minus ours)."""
    cores = [c for c in end_to_end.get("cpu_percent_per_core", []) if c is not None]
    ours = end_to_end.get("process_cpu_percent")
    if not cores or ours is None:
        return None
    busy = sum(cores) / 100.0
    return {"cores": len(cores), "busy_cores": round(busy, 2), "this_process_cores": round(ours / 100.0, 2),
            "other_cores": round(max(0.0, busy - ours / 100.0), 2)}
