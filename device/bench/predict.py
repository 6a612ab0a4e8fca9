"""What this run predicts for a Raspberry Pi 4, and on what basis.

The project's stand-in for Pi speed is ARM instruction counts on Cortex-A72
kernels (``/work/shared/tools/arm64``). Two bases, best first:

* ``arm_counts``: a file from ``tools/bench_arm.sh`` with the instructions one
  frame costs there, part by part (detector, tracker, segmenter, effect,
  libx264). At an assumed instructions-per-cycle and the Pi 4's 1.5 GHz each
  becomes a time per frame on one core.
* ``reference_model``: without such a file, one factor: MediaPipe's float
  BlazeFace costs about 19.8 M A72 instructions per invoke, divided by its warm
  median measured in *this* run; every CPU figure of the run is scaled by it.
  This overstates the Pi's cost when this machine's wide SIMD speeds models up
  more than the rest of the code, so the counts file is the better basis.

Either way it is first-order: no caches or memory bandwidth. Read it as
"fits with room / fits barely / does not fit", not as a frame rate to the decimal.

Counts files may come for several cores (``bench_arm.sh --cpu cortex-a76``):
``by_cpu`` lists each one's parts and per-model int8 and float counts (the
int8 graph the loader picked on that core, so per CPU class), and the Pi 4
prediction uses the Cortex-A72 one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

from magicbooth.bench.measures import is_measured, read_json
from magicbooth.core.errors import BenchError


class Board(TypedDict):
    """The board a prediction is for (copied into the prediction's basis)."""

    board: str
    cpu: str
    cores: int
    clock_mhz: int


PI4: Board = {"board": "Raspberry Pi 4 Model B", "cpu": "Cortex-A72", "cores": 4, "clock_mhz": 1500}
REFERENCE_MODEL = ("face_detection_short_range", "float", 1)
REFERENCE_A72_INSTRUCTIONS = 19.8e6  # per invoke, LiteRT + XNNPACK, 1 thread (shared/tools/arm64/README.md)
COUNT_PARTS = ("frame", "effect", "encode libx264", "detector", "tracker (detector + landmarks)", "segmenter")
# The live booth's parallel threads, as parts of the counts file.
THREADS = {"model worker: face tracking": "tracker (detector + landmarks)", "model worker: segmenter": "segmenter",
           "main loop: effect": "effect", "recorder: libx264": "encode libx264"}


def load_arm_counts(path: str | Path) -> dict[str, Any]:
    """Read a ``tools/bench_arm.sh`` file; one clear error if it is not one."""
    path = Path(path)
    data = read_json(path, f"no such file; make it with 'tools/bench_arm.sh > {path.name}'", "file")
    parts = data.get("parts") if isinstance(data, dict) else None
    if data.get("schema") != "magicbooth.arm-counts" or not isinstance(parts, dict) or not all(
            isinstance(parts.get(k), int) and parts[k] > 0 for k in COUNT_PARTS):
        raise BenchError(f"{path}: not an ARM counts file (expected \"schema\": \"magicbooth.arm-counts\" and "
                         f"positive counts for {', '.join(COUNT_PARTS)}); make it with tools/bench_arm.sh")
    return data


PI4_CPU = "cortex-a72"


def pi4_counts(files: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The counts file made on the Pi 4's core, if one was given."""
    return next((f for f in files if f.get("cpu") == PI4_CPU), None)


def by_cpu(files: list[dict[str, Any]], manifest_sha256: str | None = None) -> list[dict[str, Any]]:
    """Per counts file: the core, its CPU class, the frame's parts and each model's int8 and float counts."""
    found = []
    for data in files:
        models = {name: {**m, "ratio": round(m["int8"] / m["float"], 3)} for name, m in
                  sorted((data.get("models") or {}).items()) if m.get("int8") and m.get("float")}
        entry = {"cpu": data.get("cpu"), "cpu_class": data.get("cpu_class"), "effect": data.get("effect"),
                 "measured": data.get("measured"), "parts": data["parts"], "models": models}
        if manifest_sha256 and data.get("manifest_sha256") and not manifest_sha256.startswith(
                data["manifest_sha256"]):
            entry["warning"] = "counted with other model files than the ones installed now"
        found.append(entry)
    return found


def predict_pi4(report: dict[str, Any], ipc: float, fps: int, arm_counts: dict[str, Any] | None = None,
                manifest_sha256: str | None = None) -> dict[str, Any]:
    """The ``prediction`` section: Pi 4 CPU per frame, the cores it needs, and the stage that limits it."""
    if arm_counts is not None:
        return _from_counts(arm_counts, ipc, fps, manifest_sha256)
    return _from_reference(report, ipc, fps)


def _rate(ipc: float) -> float:
    return PI4["clock_mhz"] * 1e6 * ipc  # instructions per second on one core


def _verdict(out: dict[str, Any], cpu: float, parallel: dict[str, float], fps: int) -> dict[str, Any]:
    budget = 1000.0 / fps
    slowest = max(parallel, key=lambda n: parallel[n]) if parallel else None
    limit = min([PI4["cores"] * 1000.0 / cpu] + ([1000.0 / parallel[slowest]] if slowest else []))
    out.update(cpu_ms_per_frame=round(cpu, 1), cores_needed_at_target=round(cpu / budget, 2),
               fps_limit=round(min(limit, float(fps)), 1), slowest_stage=slowest,
               slowest_stage_ms=round(parallel[slowest], 1) if slowest else None,
               fits=bool(cpu <= PI4["cores"] * budget and (not slowest or parallel[slowest] <= budget)))
    return out


def _from_counts(counts: dict[str, Any], ipc: float, fps: int, manifest_sha256: str | None) -> dict[str, Any]:
    parts = counts["parts"]
    ms = {name: 1000.0 * n / _rate(ipc) for name, n in parts.items()}
    basis = {"kind": "arm_counts", "cpu_counted": counts.get("cpu"), "effect": counts.get("effect"),
             "measured": counts.get("measured"), "assumed_ipc": ipc, **PI4,
             "instructions_per_frame": parts["frame"]}
    stale = bool(manifest_sha256 and counts.get("manifest_sha256") and
                 not manifest_sha256.startswith(counts["manifest_sha256"]))
    if stale:
        basis["warning"] = "the counts were made with other model files than the ones installed now"
    out: dict[str, Any] = {"status": "predicted", "basis": basis, "stage_ms": {k: round(v, 2) for k, v in ms.items()
                                                                             if k != "frame"}}
    _verdict(out, ms["frame"], {name: ms[part] for name, part in THREADS.items()}, fps)
    hw = ms["frame"] - ms["encode libx264"]
    out["with_hardware_encoder"] = {"cpu_ms_per_frame": round(hw, 1),
                                    "cores_needed_at_target": round(hw * fps / 1000.0, 2)}
    return out


def _from_reference(report: dict[str, Any], ipc: float, fps: int) -> dict[str, Any]:
    name, variant, threads = REFERENCE_MODEL
    ref = next((m for m in report.get("models", []) if is_measured(m) and m["name"] == name
                and m["variant"] == variant and m["threads"] == threads), None)
    basis = {"kind": "reference_model", "reference": f"{name} {variant}, {threads} thread",
             "a72_instructions": REFERENCE_A72_INSTRUCTIONS, "assumed_ipc": ipc, **PI4}
    if ref is None:
        return {"status": "not_measured", "reason": f"no ARM counts file, and the reference model ({name} {variant} "
                f"×{threads}) was not measured in this run, so there is nothing to scale from", "basis": basis}
    host_ms = ref["warm_ms"]["median"]
    pi4_ref_ms = 1000.0 * REFERENCE_A72_INSTRUCTIONS / _rate(ipc)
    factor = pi4_ref_ms / host_ms
    basis.update(host_ms=host_ms, pi4_reference_ms=round(pi4_ref_ms, 3))
    out: dict[str, Any] = {"status": "predicted", "basis": basis, "slowdown": round(factor, 2)}
    out["stage_ms"] = {s["name"]: round(s["ms"]["median"] * factor, 2) for s in report.get("stages", [])
                       if is_measured(s) and s["kind"] != "capture" and s["name"] != "perception total"}
    e2e = report.get("end_to_end", {})
    if is_measured(e2e):
        # medians: on a shared or busy machine the p90 here is mostly other processes' noise
        parallel = {n: s["median"] * factor for n, s in {**e2e["stage_ms"], **e2e.get("worker_ms", {})}.items()}
        _verdict(out, e2e["cpu_ms_per_frame"] * factor, parallel, fps)
    return out
