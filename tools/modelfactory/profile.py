"""Where int8 time goes: cumulative latency of graph prefixes, int8 against the float graph it came from.

LiteRT's Python API has no per-op profiler, so both graphs are cut after the
same tensor (matched by name) every ``step`` ops and each prefix is timed;
the difference between consecutive prefixes is the cost of that block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner


@dataclass(frozen=True)
class Block:
    first_op: int
    last_op: int
    ops: str  # op names in the block, counted
    float_ms: float
    int8_ms: float

    @property
    def excess_ms(self) -> float:
        return self.int8_ms - self.float_ms


def _prefix(content: bytes, tensor_name: str) -> bytes | None:
    model = g.load(content)
    sub = model.subgraphs[0]
    for i, op in enumerate(sub.operators):
        names = {bytes(sub.tensors[int(t)].name).decode() for t in op.outputs}
        if tensor_name in names or f"{tensor_name}_int8" in names:
            sub.operators = sub.operators[:i + 1]
            sub.outputs = np.array([int(op.outputs[0])], np.int32)
            model.signatureDefs = []
            g.compact(model)
            return g.save(model)
    return None


def _best_ms(content: bytes, sample: np.ndarray, count: int) -> float:
    return float(np.min(Runner(content).latencies(sample, count, warmup=3)) * 1000)  # min: least noisy


def blocks(float_model: bytes, int8_model: bytes, sample: np.ndarray, step: int = 12,
           count: int = 30) -> list[Block]:
    """Per-block float and int8 time; block boundaries every ``step`` float ops."""
    model = g.load(float_model)
    sub = model.subgraphs[0]
    names = [bytes(sub.tensors[int(op.outputs[0])].name).decode() for op in sub.operators]
    kinds = [g.op_name(model, op) for op in sub.operators]
    result: list[Block] = []
    previous = (0.0, 0.0)
    start = 0
    cuts = [*range(step - 1, len(names) - 1, step), len(names) - 1]
    for cut in cuts:
        f, q = _prefix(float_model, names[cut]), _prefix(int8_model, names[cut])
        if f is None or q is None:
            continue
        now = (_best_ms(f, sample, count), _best_ms(q, sample, count))
        counted: dict[str, int] = {}
        for kind in kinds[start:cut + 1]:
            counted[kind] = counted.get(kind, 0) + 1
        ops = ", ".join(f"{k}×{v}" for k, v in sorted(counted.items(), key=lambda kv: -kv[1]))
        result.append(Block(start, cut, ops, now[0] - previous[0], now[1] - previous[1]))
        previous, start = now, cut + 1
    return result
