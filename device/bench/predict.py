"""What this run predicts for a Raspberry Pi 4, and on what basis.

The project's stand-in for Pi speed is ARM instruction counts on Cortex-A72
kernels (``/work/shared/tools/arm64``). Two bases, best first:

* ``arm_counts``: a file from ``tools/bench_arm.sh`` with the instructions one
  frame costs there, part by part (detector, tracker, segmenter, effect,
  libx264, and the CPU's share of the hardware encoder). At an assumed
  instructions-per-cycle and the Pi 4's 1.5 GHz each becomes a time per frame
  on one core. A file counted on both CPU classes (Cortex-A72 and Cortex-A76)
  gives one prediction per class (``by_cpu``: the Pi 4 and the Pi 5 at 2.4 GHz);
  the top-level prediction stays the Pi 4's.
* ``reference_model``: without such a file, one factor: MediaPipe's float
  BlazeFace costs about 19.8 M A72 instructions per invoke, divided by its warm
  median measured in *this* run; every CPU figure of the run is scaled by it.
  This overstates the Pi's cost when this machine's wide SIMD speeds models up
  more than the rest of the code, so the counts file is the better basis.

Either way it is first-order: no caches or memory bandwidth. Read it as
"fits with room / fits barely / does not fit", not as a frame rate to the decimal.
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
PI5: Board = {"board": "Raspberry Pi 5", "cpu": "Cortex-A76", "cores": 4, "clock_mhz": 2400}
BOARDS: dict[str, Board] = {"cortex-a72": PI4, "cortex-a76": PI5}
REFERENCE_MODEL = ("face_detection_short_range", "float", 1)
REFERENCE_A72_INSTRUCTIONS = 19.8e6  # per invoke, LiteRT + XNNPACK, 1 thread (shared/tools/arm64/README.md)
COUNT_PARTS = ("frame", "effect", "encode libx264", "detector", "tracker (detector + landmarks)", "segmenter")
# The live booth's parallel threads, as parts of the counts file.
THREADS = {"model worker: face tracking": "tracker (detector + landmarks)", "model worker: segmenter": "segmenter",
           "main loop: effect": "effect", "recorder: libx264": "encode libx264"}
HARDWARE_PART = "encode h264_v4l2m2m (CPU side)"  # conversion and buffer copy; the VideoCore's work is not the CPU's


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


def predict_pi4(report: dict[str, Any], ipc: float, fps: int, arm_counts: dict[str, Any] | None = None,
                manifest_sha256: str | None = None, pi5_ipc: float | None = None) -> dict[str, Any]:
    """The ``prediction`` section: Pi 4 CPU per frame, the cores it needs, and the stage that limits it.

    With a counts file that holds both CPU classes, ``by_cpu`` adds the Pi 5's (at ``pi5_ipc``, else ``ipc``).
    """
    if arm_counts is None:
        return _from_reference(report, ipc, fps)
    by_cpu = arm_counts.get("by_cpu") or {arm_counts.get("cpu") or "cortex-a72": {"parts": arm_counts["parts"]}}
    ipcs = {"cortex-a72": ipc, "cortex-a76": pi5_ipc or ipc}
    predictions = {cpu: _from_counts(arm_counts, entry["parts"], cpu, ipcs.get(cpu, ipc), fps, manifest_sha256)
                   for cpu, entry in by_cpu.items()}
    first = "cortex-a72" if "cortex-a72" in predictions else next(iter(predictions))
    out = dict(predictions[first])
    if len(predictions) > 1:
        out["by_cpu"] = predictions
    return out


def _rate(ipc: float, board: Board = PI4) -> float:
    return board["clock_mhz"] * 1e6 * ipc  # instructions per second on one core


def _verdict(out: dict[str, Any], cpu: float, parallel: dict[str, float], fps: int, board: Board = PI4
             ) -> dict[str, Any]:
    budget = 1000.0 / fps
    slowest = max(parallel, key=lambda n: parallel[n]) if parallel else None
    limit = min([board["cores"] * 1000.0 / cpu] + ([1000.0 / parallel[slowest]] if slowest else []))
    out.update(cpu_ms_per_frame=round(cpu, 1), cores_needed_at_target=round(cpu / budget, 2),
               fps_limit=round(min(limit, float(fps)), 1), slowest_stage=slowest,
               slowest_stage_ms=round(parallel[slowest], 1) if slowest else None,
               fits=bool(cpu <= board["cores"] * budget and (not slowest or parallel[slowest] <= budget)))
    if slowest:  # how much of the frame budget the busiest thread leaves
        out["margin"] = round(1.0 - parallel[slowest] / budget, 2)
    return out


def _from_counts(counts: dict[str, Any], parts: dict[str, int], cpu: str, ipc: float, fps: int,
                 manifest_sha256: str | None) -> dict[str, Any]:
    board = BOARDS.get(cpu, PI4)
    ms = {name: 1000.0 * n / _rate(ipc, board) for name, n in parts.items()}
    basis = {"kind": "arm_counts", "cpu_counted": cpu, "effect": counts.get("effect"),
             "measured": counts.get("measured"), "assumed_ipc": ipc, **board,
             "instructions_per_frame": parts["frame"], "low_res_stream": counts.get("lores"),
             "statistic": counts.get("statistic", "median")}
    stale = bool(manifest_sha256 and counts.get("manifest_sha256") and
                 not manifest_sha256.startswith(counts["manifest_sha256"]))
    if stale:
        basis["warning"] = "the counts were made with other model files than the ones installed now"
    out: dict[str, Any] = {"status": "predicted", "basis": basis, "stage_ms": {k: round(v, 2) for k, v in ms.items()
                                                                             if k != "frame"}}
    threads = {name: ms[part] for name, part in THREADS.items()}
    _verdict(out, ms["frame"], threads, fps, board)
    # The hardware encoder leaves the CPU its conversion to YUV and a buffer copy (counted when the file has
    # them); without that part, only libx264 is taken off.
    encoder_cpu = ms.get(HARDWARE_PART, 0.0)
    hw_threads = {n: v for n, v in threads.items() if n != "recorder: libx264"}
    hw_threads["recorder: h264_v4l2m2m"] = encoder_cpu
    out["with_hardware_encoder"] = _verdict({"counted_cpu_side": HARDWARE_PART in ms},
                                            ms["frame"] - ms["encode libx264"] + encoder_cpu, hw_threads, fps, board)
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
