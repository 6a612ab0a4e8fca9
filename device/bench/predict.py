"""What this run predicts for a Raspberry Pi 4, and how sure that is.

The project's stand-in for Pi speed is ARM instruction counts on Cortex-A72
kernels (``/work/shared/tools/arm64``): MediaPipe's float BlazeFace costs
about 19.8 M instructions per invoke there (LiteRT + XNNPACK, one thread).
At an assumed instructions-per-cycle and the Pi 4's 1.5 GHz that is a time;
dividing it by the same model's warm median measured in *this* run gives a
slowdown factor, which scales every CPU figure of the run.

It is a first-order estimate: one factor for all code (model kernels, OpenCV,
pygame, libx264), no caches or memory bandwidth, and the Pi 4's hardware
encoder would take libx264's share off the CPU. Treat it as "fits / does not
fit by a wide margin", not as a frame rate to the decimal.
"""

from __future__ import annotations

from typing import Any

from device.bench.measures import is_measured

PI4 = {"board": "Raspberry Pi 4 Model B", "cpu": "Cortex-A72", "cores": 4, "clock_mhz": 1500}
REFERENCE_MODEL = ("face_detection_short_range", "float", 1)
REFERENCE_A72_INSTRUCTIONS = 19.8e6  # per invoke, LiteRT + XNNPACK, 1 thread (shared/tools/arm64/README.md)


def predict_pi4(report: dict[str, Any], ipc: float, fps: int) -> dict[str, Any]:
    """The ``prediction`` section: Pi 4 CPU per frame, the cores it needs, and the stage that limits it."""
    name, variant, threads = REFERENCE_MODEL
    ref = next((m for m in report.get("models", []) if is_measured(m) and m["name"] == name
                and m["variant"] == variant and m["threads"] == threads), None)
    basis = {"reference": f"{name} {variant}, {threads} thread", "a72_instructions": REFERENCE_A72_INSTRUCTIONS,
             "assumed_ipc": ipc, **PI4}
    if ref is None:
        return {"status": "not_measured", "reason": f"the reference model ({name} {variant} ×{threads}) was not "
                "measured in this run, so there is nothing to scale from", "basis": basis}
    host_ms = ref["warm_ms"]["median"]
    pi4_ref_ms = 1000.0 * REFERENCE_A72_INSTRUCTIONS / (PI4["clock_mhz"] * 1e6 * ipc)
    factor = pi4_ref_ms / host_ms
    budget_ms = 1000.0 / fps
    out: dict[str, Any] = {"status": "predicted", "basis": {**basis, "host_ms": host_ms,
                                                              "pi4_reference_ms": round(pi4_ref_ms, 3)},
                           "slowdown": round(factor, 2)}
    stages = {s["name"]: round(s["ms"]["median"] * factor, 2) for s in report.get("stages", []) if is_measured(s)
              and s["kind"] != "capture" and s["name"] != "perception total"}
    out["stage_ms"] = stages
    e2e = report.get("end_to_end", {})
    if is_measured(e2e):
        cpu = e2e["cpu_ms_per_frame"] * factor
        # medians: on a shared or busy machine the p90 here is mostly other processes' noise
        parallel = {n: s["median"] * factor for n, s in {**e2e["stage_ms"], **e2e.get("worker_ms", {})}.items()}
        slowest = max(parallel, key=lambda n: parallel[n]) if parallel else None
        limit = min([PI4["cores"] * 1000.0 / cpu] + ([1000.0 / parallel[slowest]] if slowest else []))
        out.update(cpu_ms_per_frame=round(cpu, 1), cores_needed_at_target=round(cpu / budget_ms, 2),
                   fps_limit=round(min(limit, float(fps)), 1), slowest_stage=slowest,
                   slowest_stage_ms=round(parallel[slowest], 1) if slowest else None,
                   fits=bool(cpu <= PI4["cores"] * budget_ms and (not slowest or parallel[slowest] <= budget_ms)))
    return out
