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
from tools.modelfactory import (
    armcount,
    armreport,
    attribution,
    datasets,
    fp16,
    metrics,
    profile,
    ranges,
    sensitivity,
    variants,
)
from tools.modelfactory.emulated import Emulated
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


@dataclass(frozen=True)
class Graph:
    """One shipped int8 graph of a model, and the float form it was quantized from (for the diagnostics)."""

    key: str  # manifest key: int8, int8_dotprod...
    cpus: tuple[str, ...]  # CPU classes that load it
    path: Path
    rewritten_float: bytes | None = None  # the equalized float graph it came from
    calibrated: bytes | None = None  # the same with activation ranges


def _fp16_cores(graph: Graph, counter: armcount.Counter | None) -> list[str]:
    """The counted cores with fp16 arithmetic that load ``graph``, if it carries the fp16 hint and can be emulated."""
    if counter is None or not fp16.has_hint(graph.path.read_bytes()):
        return []
    return [core for cls, core in variants.COUNTED_ON.items() if cls in graph.cpus and core in fp16.CORES]


def evaluate(name: str, load: Callable[[str, int], Model], graphs: list[Graph], float_path: Path,
             held_out: datasets.Dataset, progress: Callable[[str], None],
             counter: armcount.Counter | None = None) -> dict[str, Any]:
    """Everything the report says about one model: each int8 graph against float, and the ARM counts per core."""
    spec = SPECS[name]
    inputs = held_out.inputs[name]
    reference = load("float", 1)
    as_list = lambda model: (lambda x: list(model.invoke(x).values()))  # noqa: E731
    result: dict[str, Any] = {"task": spec.task, "io": "int8" if spec.int8_io else "float", "graphs": {},
                              "targets": []}
    x86 = next((g for g in graphs if "x86_64" in g.cpus), graphs[0])
    for graph in graphs:
        candidate = load(graph.key, 1)
        if candidate.variant != graph.key:  # the loader's pick for this CPU must not stand in for another graph
            raise ValueError(f"{name}: asked for graph {graph.key!r}, the loader gave {candidate.variant!r}")
        progress(f"{name} {graph.key}: accuracy on {len(inputs)} held-out inputs")
        accuracy = metrics.for_spec(spec)(as_list(reference), as_list(candidate), inputs)
        timing = {}
        for threads in (1, 2):
            progress(f"{name} {graph.key}: latency, {threads} thread(s)")
            timing[str(threads)] = latency(lambda v, t, k=graph.key: load("float" if v == "float" else k, t),
                                           inputs[0], threads)
        delegation = candidate.delegation
        result["graphs"][graph.key] = {
            "cpus": list(graph.cpus), "quantization": candidate.entry.quantization, "accuracy": accuracy,
            "latency": timing, "acceleration": {"partitions": delegation.partitions,
                                                "delegated_ops": delegation.delegated_ops,
                                                "ops_outside": list(delegation.undelegated)}}
        label = f"{graph.key} ({', '.join(graph.cpus)})"
        for target in ACCURACY_TARGETS[spec.task]:
            value = accuracy[target.metric]
            result["targets"].append({"graph": label, "target": target.describe(), "measured": value,
                                      "met": target.met(value)})
        for core in _fp16_cores(graph, counter):
            progress(f"{name} {graph.key}: accuracy on {len(inputs)} held-out inputs as {core} runs it (emulated)")
            emulated = metrics.for_spec(spec)(as_list(reference), Emulated(counter, graph.path.read_bytes(), inputs,
                                                                            core), inputs)
            result["graphs"][graph.key].setdefault("accuracy_on", {})[core] = emulated
            for target in ACCURACY_TARGETS[spec.task]:
                value = emulated[target.metric]
                result["targets"].append({"graph": f"{label} on {core}, fp16 islands (emulated)",
                                          "target": target.describe(), "measured": value, "met": target.met(value)})
        if graph is x86:
            ratio = timing["1"]["ratio"]
            result["targets"].append({"graph": label, "measured": ratio, "met": ratio <= LATENCY_RATIO_TARGET,
                                      "target": f"x86 int8/float latency at 1 thread ≤ {LATENCY_RATIO_TARGET}"})
        result["targets"].append({"graph": label, "target": "one XNNPACK partition, no ops outside",
                                  "measured": delegation.describe(), "met": delegation.fully_delegated})
    result["float_acceleration"] = {"partitions": reference.delegation.partitions,
                                    "delegated_ops": reference.delegation.delegated_ops,
                                    "ops_outside": list(reference.delegation.undelegated)}
    if counter is not None:
        progress(f"{name}: ARM instruction counts")
        result.update(armreport.evaluate(counter, float_path, graphs, progress))
        result["targets"] += result.pop("arm_targets")
    _diagnose(name, result, graphs[0], x86, inputs, progress)
    return result


def _diagnose(name: str, result: dict[str, Any], default: Graph, x86: Graph, inputs: list[np.ndarray],
              progress: Callable[[str], None]) -> None:
    """Why a target is missed: error attribution and the block sweep (default graph), x86 profiles (x86's graph)."""
    spec = SPECS[name]
    accuracy = result["graphs"][default.key]["accuracy"]
    missed = [t for t in ACCURACY_TARGETS[spec.task] if not t.met(accuracy[t.metric])]
    if default.rewritten_float is not None and missed:
        progress(f"{name}: per-layer error attribution")
        capped = ranges.capped_names(default.calibrated, spec) if default.calibrated is not None else set()
        layers = attribution.layer_errors(default.rewritten_float, default.path.read_bytes(), inputs[:4], capped)
        worst = sorted(layers, key=lambda e: -e.growth)[:3]
        result["accuracy_blame"] = [{"op_index": e.op_index, "op": e.op, "tensor": e.tensor,
                                     "relative_error": e.error, "error_added": e.growth} for e in worst]
        result["output_error"] = layers[-1].error if layers else None
    if default.rewritten_float is not None and default.calibrated is not None and missed:
        progress(f"{name}: sensitivity sweep (each block kept float in turn)")
        result["sensitivity"] = sensitivity.sweep(default.rewritten_float, default.calibrated,
                                                  metrics.for_spec(spec), missed[0].metric,
                                                  inputs[:SENSITIVITY_INPUTS])
        result["sensitivity"]["higher_is_better"] = missed[0].higher_is_better
        result["sensitivity"]["inputs"] = len(inputs[:SENSITIVITY_INPUTS])
    ratio = result["graphs"][x86.key]["latency"]["1"]["ratio"]
    if x86.rewritten_float is not None and ratio > LATENCY_RATIO_TARGET:
        progress(f"{name}: per-block latency profile")
        int8_bytes = x86.path.read_bytes()
        found = profile.blocks(x86.rewritten_float, int8_bytes, inputs[0])
        result["latency_blocks"] = [{"ops": f"{b.first_op}-{b.last_op}", "kinds": b.ops, "float_ms": b.float_ms,
                                     "int8_ms": b.int8_ms} for b in found]
        progress(f"{name}: per-op-kind latency profile")
        result["latency_kinds"] = [{**asdict(k), "ratio": k.ratio} for k in profile.kinds(x86.rewritten_float,
                                                                                            int8_bytes)]
        result["latency_graph"] = x86.key
