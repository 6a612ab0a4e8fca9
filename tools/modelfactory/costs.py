"""What each op of a model costs on a CPU in int8 and in float32, and what a mixed graph would cost in total.

An XNNPACK invoke runs its ops one after another, so a graph's ARM instruction
count is close to the sum of its ops counted alone: every op of the calibrated
float graph is cut out as a one-op model twice, once from the float graph and
once from its all-int8 quantization, and counted (``armcount``); so is a
QUANTIZE and a DEQUANTIZE of every activation tensor, the price of an island
border there. Each one-op count includes one invoke's fixed cost, measured as
what the sum of a whole graph's ops exceeds its own count by, per op.

``Costs.predict(floats)`` is then the count of the graph with the ops writing
``floats`` in float32 and the rest int8, as ``islands.quantize`` builds it,
without building or counting it: the island search weighs thousands of
choices this way and counts only the ones it keeps. An op whose int8 form
XNNPACK does not take (the face mesh's PRELU) has no int8 cost: it is always float.
On a core with fp16 arithmetic (``fp16.CORES``) both graphs carry the fp16
hint where the shipped graphs do, so float ops are costed as they run there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import fp16, islands
from tools.modelfactory import graph as g
from tools.modelfactory.armcount import Counter
from tools.modelfactory.profile import one_op
from tools.modelfactory.runner import Runner

_BORDERS = ("QUANTIZE", "DEQUANTIZE")


@dataclass(frozen=True)
class Op:
    """One op of the float graph: what it reads and writes (activation tensors by index) and its kind."""

    name: str  # its first output's tensor name, the key ``islands`` uses
    kind: str
    reads: tuple[int, ...]
    writes: tuple[int, ...]


@dataclass
class Costs:
    """Per-op ARM instruction counts of one calibrated graph on one CPU, net of the invoke's fixed cost."""

    cpu: str
    ops: list[Op]
    float_cost: list[float]
    int8_cost: list[float | None]  # None where XNNPACK's int8 path does not take the op
    quantize: dict[int, float]  # tensor -> a QUANTIZE of it (float island -> int8 consumer)
    dequantize: dict[int, float]  # tensor -> a DEQUANTIZE of it (int8 producer -> float island)
    inputs: tuple[int, ...]  # graph inputs and outputs: float32 at the model's edge
    outputs: tuple[int, ...]
    invoke: float  # the fixed cost of one invoke
    float_total: int = 0  # the float graph counted whole
    int8_total: int = 0  # the all-int8 graph counted whole

    @property
    def forced(self) -> frozenset[str]:
        """Ops that can only be float."""
        return frozenset(op.name for op, cost in zip(self.ops, self.int8_cost, strict=True) if cost is None)

    def index(self) -> dict[str, int]:
        return {op.name: i for i, op in enumerate(self.ops)}

    def predict(self, floats: Iterable[str]) -> float:
        """Instructions of one invoke with the ops named in ``floats`` (plus the forced ones) float32."""
        chosen = set(floats) | self.forced
        is_float = [op.name in chosen for op in self.ops]
        return self.predict_mask(is_float)

    def predict_mask(self, is_float: list[bool]) -> float:
        total = self.invoke
        written_float: dict[int, bool] = {t: True for t in self.inputs}
        for flag, op, f, q in zip(is_float, self.ops, self.float_cost, self.int8_cost, strict=True):
            total += f if flag or q is None else q
            for t in op.writes:
                written_float[t] = flag or q is None
        # The quantizer gives every reader of the other type its own QUANTIZE or DEQUANTIZE (a tensor read by
        # three int8 ops after a float island is quantized three times).
        for flag, op, q in zip(is_float, self.ops, self.int8_cost, strict=True):
            reads_float = flag or q is None
            for t in set(op.reads):
                source = written_float.get(t, True)
                if source != reads_float:
                    total += self.quantize[t] if source else self.dequantize[t]
        for t in set(self.outputs):
            if not written_float.get(t, True):
                total += self.dequantize[t]
        return total


def structure(content: bytes) -> tuple[list[Op], tuple[int, ...], tuple[int, ...], dict[int, str]]:
    """The ops of a float graph with their activation tensors, the graph's inputs and outputs, tensor names."""
    model = g.load(content)
    sub = model.subgraphs[0]
    names = {k: bytes(t.name).decode() for k, t in enumerate(sub.tensors)}
    ops = []
    for op in sub.operators:
        reads = tuple(int(t) for t in op.inputs if t >= 0 and g.constant(model, int(t)) is None)
        ops.append(Op(bytes(sub.tensors[int(op.outputs[0])].name).decode(), g.op_name(model, op), reads,
                      tuple(int(t) for t in op.outputs)))
    return ops, tuple(int(t) for t in sub.inputs), tuple(int(t) for t in sub.outputs), names


def measure(calibrated: bytes, float_graph: bytes, counter: Counter, cpu: str, hint: bool = True) -> Costs:
    """Count every op of ``calibrated`` alone in float and in int8, and every tensor's island border, on ``cpu``.

    ``hint``: the graphs made from it carry the fp16 hint, so their float ops are costed as they then run.
    """
    ops, inputs, outputs, names = structure(calibrated)
    int8_graph = islands.quantize(calibrated, [])
    if hint and cpu in fp16.CORES:  # the shipped graphs' islands run in fp16 there: cost them so
        float_graph, int8_graph = fp16.hinted(float_graph), fp16.hinted(int8_graph)
    pieces: dict[str, bytes] = {"float": float_graph, "int8": int8_graph}
    for i in range(len(ops)):
        pieces[f"f{i}"] = one_op(float_graph, i)
    int8_ops = _int8_ops(int8_graph, [op.name for op in ops])
    for i, (index, extra) in int8_ops.items():
        pieces[f"q{i}"] = one_op(int8_graph, index)
        for j, e in enumerate(extra):
            pieces[f"q{i}+{j}"] = one_op(int8_graph, e)
    borders = _borders(int8_graph, ops, inputs, names)
    pieces.update(borders)
    counted = counter.count(pieces, cpu)
    missing = sorted(key for key, value in counted.items() if value is None)
    if missing:
        raise RuntimeError(f"ARM count failed for {len(missing)} piece(s) on {cpu}: {', '.join(missing[:5])}")
    value = {key: float(v) for key, v in counted.items() if v is not None}
    invoke = (sum(value[f"f{i}"] for i in range(len(ops))) - value["float"]) / max(len(ops) - 1, 1)
    float_cost = [value[f"f{i}"] - invoke for i in range(len(ops))]
    int8_cost: list[float | None] = []
    for i in range(len(ops)):
        if i not in int8_ops or not _delegated(pieces[f"q{i}"]):
            int8_cost.append(None)
            continue
        extra = sum(value[f"q{i}+{j}"] - invoke for j in range(len(int8_ops[i][1])))
        int8_cost.append(value[f"q{i}"] - invoke + extra)
    quantize = {int(k[1:]): value[k] - invoke for k in borders if k.startswith("Q")}
    dequantize = {int(k[1:]): value[k] - invoke for k in borders if k.startswith("D")}
    return Costs(cpu, ops, float_cost, int8_cost, quantize, dequantize, inputs, outputs, invoke,
                 int(value["float"]), int(value["int8"]))


def _int8_ops(int8_graph: bytes, names: list[str]) -> dict[int, tuple[int, list[int]]]:
    """Float op i -> (its op in the int8 graph, the int8-only requantize ops feeding it)."""
    model = g.load(int8_graph)
    sub = model.subgraphs[0]
    where = {bytes(sub.tensors[int(op.outputs[0])].name).decode(): k for k, op in enumerate(sub.operators)}
    writer = g.producers(sub)
    found: dict[int, tuple[int, list[int]]] = {}
    for i, name in enumerate(names):
        k = where.get(name)
        if k is None:
            continue
        extra = [writer[int(t)] for t in sub.operators[k].inputs if t >= 0 and int(t) in writer
                 and g.op_name(model, sub.operators[writer[int(t)]]) == "QUANTIZE"
                 and sub.tensors[int(sub.operators[writer[int(t)]].inputs[0])].type == fb.TensorType.INT8]
        found[i] = (k, extra)
    return found


def _borders(int8_graph: bytes, ops: list[Op], inputs: tuple[int, ...], names: dict[int, str]) -> dict[str, bytes]:
    """A one-op QUANTIZE ("Q<t>") and DEQUANTIZE ("D<t>") model for every activation tensor of the float graph.

    The float graph's tensor indices are kept as keys; the int8 tensor with the same name gives the scale.
    """
    model = g.load(int8_graph)
    sub = model.subgraphs[0]
    int8_named = {bytes(t.name).decode(): k for k, t in enumerate(sub.tensors) if t.type == fb.TensorType.INT8}
    found: dict[str, bytes] = {}
    for t in sorted({t for op in ops for t in (*op.reads, *op.writes)} | set(inputs)):
        k = int8_named.get(names[t], int8_named.get(f"{names[t]}_int8"))
        if k is None:
            continue
        found[f"Q{t}"] = _border(int8_graph, k, fb.BuiltinOperator.QUANTIZE)
        found[f"D{t}"] = _border(int8_graph, k, fb.BuiltinOperator.DEQUANTIZE)
    return found


def _border(int8_graph: bytes, tensor: int, builtin: int) -> bytes:
    """A model of one QUANTIZE (float -> ``tensor``) or DEQUANTIZE (``tensor`` -> float)."""
    model = g.load(int8_graph)
    sub = model.subgraphs[0]
    other = g.add_tensor(model, "border_float", g.shape_of(sub.tensors[tensor]))
    source, target = (other, tensor) if builtin == fb.BuiltinOperator.QUANTIZE else (tensor, other)
    sub.operators = [g.make_op(model, builtin, [source], [target])]
    sub.inputs = np.array([source], np.int32)
    sub.outputs = np.array([target], np.int32)
    model.signatureDefs = []
    g.compact(model)
    return g.save(model)


def _delegated(content: bytes) -> bool:
    return Runner(content).delegation.fully_delegated
