"""The report's ARM figures: every graph counted on every core, the per-class targets, and where the instructions go.

Each CPU class is held to its own target on its own core: the graph for ARM
without int8 dot product to int8/float ≤ 0.9 on Cortex-A72 (Pi 4), the one
with it to ≤ 0.7 on Cortex-A76 (Pi 5). The per-op-kind table adds up, per
kind, what each op costs alone in float and in int8 on that core
(``costs``), and how many of them the graph keeps float: it names the
kernels int8 does not pay for there. Ratios are against the float graph as
MediaPipe ships it (float32); on a core with fp16 arithmetic the float graph
given the int8 graphs' fp16 hint is counted too, for comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magicbooth.inference.cpu import INSTRUCTION_TARGETS
from tools.modelfactory import costs, fp16, islands, variants
from tools.modelfactory.armcount import Counter

if TYPE_CHECKING:
    from tools.modelfactory.report import Graph

FLOAT_FP16 = "float_fp16"  # the float graph with the fp16 hint, counted where it changes what runs
TARGETS = INSTRUCTION_TARGETS  # int8/float ARM instructions on the class's core (variants.COUNTED_ON)


def evaluate(counter: Counter, float_path: Path, graphs: Sequence[Graph],
             progress: Callable[[str], None]) -> dict[str, Any]:
    """``arm_instructions`` (core -> float and each graph), ``arm_targets``, ``arm_kinds`` (core -> rows)."""
    files = {"float": float_path.read_bytes(), **{g.key: g.path.read_bytes() for g in graphs}}
    hinted = {g.key: fp16.has_hint(files[g.key]) for g in graphs}
    counts = {core: counter.count(files, core) for core in variants.COUNTED_ON.values()}
    for core in fp16.CORES & set(counts):  # what the float graph itself costs with the int8 graphs' fp16 hint
        counts[core].update(counter.count({FLOAT_FP16: fp16.hinted(files["float"])}, core))
    found: dict[str, Any] = {"arm_instructions": counts, "arm_targets": [], "arm_kinds": {}}
    for graph in graphs:
        for cls in graph.cpus:
            if cls not in TARGETS:
                continue
            core = variants.COUNTED_ON[cls]
            q, f = counts[core].get(graph.key), counts[core].get("float")
            ratio = q / f if q and f else float("nan")
            found["arm_targets"].append({"graph": f"{graph.key} ({', '.join(graph.cpus)})",
                                         "target": f"int8/float ARM instructions on {core} ({cls}) ≤ {TARGETS[cls]}",
                                         "measured": ratio, "met": bool(ratio <= TARGETS[cls])})
            if graph.calibrated is not None and graph.rewritten_float is not None:
                progress(f"{graph.key}: per-op ARM costs on {core}")
                per_op = costs.measure(graph.calibrated, graph.rewritten_float, counter, core, hinted[graph.key])
                found["arm_kinds"][core] = {"graph": graph.key, "rows": kinds(per_op, files[graph.key]),
                                            "hinted": hinted[graph.key]}
    return found


def kinds(per_op: costs.Costs, graph: bytes) -> list[dict[str, Any]]:
    """Per op kind: its ops counted alone in float and in int8 on the core, and how many ``graph`` keeps float."""
    floats = set(islands.float_ops(graph))
    rows: dict[str, dict[str, Any]] = {}
    for op, f, q in zip(per_op.ops, per_op.float_cost, per_op.int8_cost, strict=True):
        row = rows.setdefault(op.kind, {"kind": op.kind, "ops": 0, "float": 0.0, "int8": 0.0, "int8_missing": 0,
                                        "kept_float": 0, "in_graph": 0.0})
        row["ops"] += 1
        row["float"] += f
        if q is None:
            row["int8_missing"] += 1
        else:
            row["int8"] += q
        kept = op.name in floats or q is None
        row["kept_float"] += kept
        row["in_graph"] += f if kept else q
    borders = per_op.predict(floats) - per_op.invoke - sum(r["in_graph"] for r in rows.values())
    found = sorted(rows.values(), key=lambda r: -r["float"])
    found.append({"kind": "QUANTIZE/DEQUANTIZE (island borders)", "ops": 0, "float": 0.0, "int8": 0.0,
                  "int8_missing": 0, "kept_float": 0, "in_graph": borders})
    for row in found:
        row["ratio"] = row["int8"] / row["float"] if row["float"] and not row["int8_missing"] else None
    return found
