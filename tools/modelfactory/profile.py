"""Where int8 time goes, int8 against the float graph it came from: per block of ops and per op kind.

LiteRT's Python API has no per-op profiler. ``blocks`` cuts both graphs after
the same tensor (matched by name) every ``step`` ops and times each prefix;
the difference between consecutive prefixes is the cost of that block.
``kinds`` times every op alone, as a one-op model, and sums per op kind: it
names the kernels that int8 does not speed up on this CPU.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from ai_edge_litert.interpreter import Interpreter

from magicbooth.inference.amx import keep_xnnpack_off_amx
from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner


@dataclass(frozen=True)
class Block:
    first_op: int
    last_op: int
    ops: str  # op names in the block, counted
    float_ms: float
    int8_ms: float


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


@dataclass(frozen=True)
class KindTime:
    kind: str
    float_ops: int
    float_ms: float
    int8_ops: int
    int8_ms: float

    @property
    def ratio(self) -> float | None:
        return self.int8_ms / self.float_ms if self.float_ms > 0 and self.int8_ms > 0 else None


def one_op(content: bytes, index: int) -> bytes:
    """Op ``index`` of the graph ``content`` alone: its activation inputs become the graph inputs."""
    return _one_op(g.load(content), index)


def _one_op(model: fb.ModelT, index: int) -> bytes:
    """Op ``index`` of ``model`` alone: its activation inputs become the graph inputs (mutates ``model``)."""
    sub = model.subgraphs[0]
    op = sub.operators[index]
    sub.operators = [op]
    sub.inputs = np.array([int(t) for t in op.inputs if t >= 0 and g.constant(model, int(t)) is None], np.int32)
    sub.outputs = np.array([int(t) for t in op.outputs], np.int32)
    model.signatureDefs = []
    g.compact(model)
    return g.save(model)


def _op_ms(content: bytes, count: int, rng: np.random.Generator) -> float:
    """Best of ``count`` invokes of a one-op model, fed random values of each input's type."""
    keep_xnnpack_off_amx()  # measure what the app runs
    interpreter = Interpreter(model_content=content, num_threads=1)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        if np.issubdtype(detail["dtype"], np.integer):
            info = np.iinfo(detail["dtype"])
            value = rng.integers(info.min, info.max, detail["shape"], endpoint=True).astype(detail["dtype"])
        else:
            value = rng.normal(0, 1, detail["shape"]).astype(detail["dtype"])
        interpreter.set_tensor(detail["index"], value)
    for _ in range(3):
        interpreter.invoke()
    best = float("inf")
    for _ in range(count):
        start = time.perf_counter()
        interpreter.invoke()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def op_times(content: bytes, count: int = 30) -> list[tuple[str, float]]:
    """(kind, ms) of every op of ``content`` timed alone, in graph order."""
    rng = np.random.default_rng(0)
    model = g.load(content)
    kinds = [g.op_name(model, op) for op in model.subgraphs[0].operators]
    return [(kind, _op_ms(one_op(content, i), count, rng)) for i, kind in enumerate(kinds)]


def kinds(float_model: bytes, int8_model: bytes, count: int = 30) -> list[KindTime]:
    """Per op kind, the summed one-op times in each graph; slowest int8 kinds first.

    Each one-op time includes one invoke's fixed overhead (a few microseconds), so
    kinds with many tiny ops (RESHAPE, QUANTIZE) read a little high in both graphs.
    """
    in_float, in_int8 = op_times(float_model, count), op_times(int8_model, count)

    def count_and_sum(times: list[tuple[str, float]], kind: str) -> tuple[int, float]:
        mine = [ms for k, ms in times if k == kind]
        return len(mine), sum(mine)

    rows = [KindTime(kind, *count_and_sum(in_float, kind), *count_and_sum(in_int8, kind))
            for kind in dict.fromkeys(k for k, _ in in_float + in_int8)]
    return sorted(rows, key=lambda r: -r.int8_ms)
