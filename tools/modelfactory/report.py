"""Validation report: int8 against float on held-out scenes, latency side by side, XNNPACK coverage."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from magicbooth.inference.loader import Model
from tools.modelfactory import attribution, datasets, metrics, profile, ranges, sensitivity
from tools.modelfactory.specs import SPECS

LATENCY_ROUNDS = 10  # float and int8 alternate in rounds so machine load hits both alike
LATENCY_PER_ROUND = 20  # 10 x 20 = 200 invokes per variant and thread count
LATENCY_RATIO_TARGET = 0.7


@dataclass(frozen=True)
class Target:
    metric: str
    label: str
    goal: float
    higher_is_better: bool

    def met(self, value: float) -> bool:
        return bool(value >= self.goal if self.higher_is_better else value <= self.goal)

    def describe(self) -> str:
        return f"{self.label} {'≥' if self.higher_is_better else '≤'} {self.goal:g}"


ACCURACY_TARGETS: dict[str, tuple[Target, ...]] = {
    "detection": (Target("box_iou_mean", "mean box IoU", 0.9, True),
                  Target("keypoint_error_mean", "keypoint error / inter-ocular", 0.05, False),
                  Target("recall", "recall of float's detections", 1.0, True)),
    "landmarks": (Target("nme_mean", "NME", 0.03, False),),
    "segmentation": (Target("mask_iou_mean", "mask IoU at 0.5", 0.95, True),),
    "palm_detection": (Target("box_iou_mean", "mean palm box IoU", 0.9, True),
                       Target("keypoint_error_mean", "keypoint error / palm size", 0.05, False),
                       Target("recall", "recall of float's palms", 1.0, True)),
    "hand_landmarks": (Target("landmark_error_mean", "landmark error / palm size", 0.03, False),),
}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "ai_edge_litert": metadata.version("ai-edge-litert"), "numpy": np.__version__}


def latency(load: Callable[[str, int], Model], sample: np.ndarray, threads: int) -> dict[str, float]:
    """Median ms of float and int8 over interleaved rounds, one run."""
    models = {variant: load(variant, threads) for variant in ("float", "int8")}
    inputs = {variant: sample for variant in models}
    times: dict[str, list[float]] = {variant: [] for variant in models}
    for variant, model in models.items():  # warm up
        for _ in range(10):
            model.invoke(inputs[variant])
    for round_index in range(LATENCY_ROUNDS):
        order = list(models) if round_index % 2 == 0 else list(models)[::-1]
        for variant in order:
            runner = models[variant]._interpreter  # time invoke alone, not the numpy copies
            runner.set_tensor(runner.get_input_details()[0]["index"],
                              sample.astype(runner.get_input_details()[0]["dtype"]))
            for _ in range(LATENCY_PER_ROUND):
                start = time.perf_counter()
                runner.invoke()
                times[variant].append(time.perf_counter() - start)
    result = {f"{v}_ms": float(np.median(t) * 1000) for v, t in times.items()}
    result["invokes"] = float(len(times["int8"]))
    result["ratio"] = result["int8_ms"] / result["float_ms"]
    return result


SENSITIVITY_INPUTS = 24


def evaluate(name: str, load: Callable[[str, int], Model], int8_path: Path, held_out: datasets.Dataset,
             rewritten_float: bytes | None, calibrated: bytes | None,
             progress: Callable[[str], None]) -> dict[str, Any]:
    """Everything the report says about one model."""
    spec = SPECS[name]
    reference, candidate = load("float", 1), load("int8", 1)
    as_list = lambda model: (lambda x: list(model.invoke(x).values()))  # noqa: E731
    inputs = held_out.inputs[name]
    progress(f"{name}: accuracy on {len(inputs)} held-out inputs")
    accuracy = metrics.for_spec(spec)(as_list(reference), as_list(candidate), inputs)
    timing = {}
    for threads in (1, 2):
        progress(f"{name}: latency, {threads} thread(s)")
        timing[str(threads)] = latency(load, inputs[0], threads)
    int8_bytes = int8_path.read_bytes()
    acceleration = {variant: {"partitions": m.delegation.partitions, "delegated_ops": m.delegation.delegated_ops,
                              "ops_outside": list(m.delegation.undelegated)}
                    for variant, m in (("int8", candidate), ("float", reference))}
    checks = []
    for target in ACCURACY_TARGETS[spec.task]:
        value = accuracy[target.metric]
        checks.append({"target": target.describe(), "measured": value, "met": target.met(value)})
    ratio = timing["1"]["ratio"]
    checks.append({"target": f"int8/float latency at 1 thread ≤ {LATENCY_RATIO_TARGET}", "measured": ratio,
                   "met": ratio <= LATENCY_RATIO_TARGET})
    delegation = candidate.delegation
    checks.append({"target": "one XNNPACK partition, no ops outside", "measured": delegation.describe(),
                   "met": delegation.fully_delegated})
    result: dict[str, Any] = {"task": spec.task, "io": "int8" if spec.int8_io else "float", "accuracy": accuracy,
                              "latency": timing, "acceleration": acceleration, "targets": checks}
    if rewritten_float is not None and not all(c["met"] for c in checks[:-2]):
        progress(f"{name}: per-layer error attribution")
        capped = ranges.capped_names(calibrated, spec) if calibrated is not None else set()
        layers = attribution.layer_errors(rewritten_float, int8_bytes, inputs[:4], capped)
        worst = sorted(layers, key=lambda e: -e.growth)[:3]
        result["accuracy_blame"] = [{"op_index": e.op_index, "op": e.op, "tensor": e.tensor,
                                     "relative_error": e.error, "error_added": e.growth} for e in worst]
        result["output_error"] = layers[-1].error if layers else None
    missed = [t for t in ACCURACY_TARGETS[spec.task] if not t.met(accuracy[t.metric])]
    if rewritten_float is not None and calibrated is not None and missed:
        progress(f"{name}: sensitivity sweep (each block kept float in turn)")
        result["sensitivity"] = sensitivity.sweep(rewritten_float, calibrated, metrics.for_spec(spec),
                                                  missed[0].metric, inputs[:SENSITIVITY_INPUTS])
        result["sensitivity"]["higher_is_better"] = missed[0].higher_is_better
        result["sensitivity"]["inputs"] = len(inputs[:SENSITIVITY_INPUTS])
    if rewritten_float is not None and ratio > LATENCY_RATIO_TARGET:
        progress(f"{name}: per-block latency profile")
        found = profile.blocks(rewritten_float, int8_bytes, inputs[0])
        result["latency_blocks"] = [{"ops": f"{b.first_op}-{b.last_op}", "kinds": b.ops, "float_ms": b.float_ms,
                                     "int8_ms": b.int8_ms} for b in found]
        progress(f"{name}: per-op-kind latency profile")
        result["latency_kinds"] = [{**asdict(k), "ratio": k.ratio} for k in profile.kinds(rewritten_float, int8_bytes)]
    return result
