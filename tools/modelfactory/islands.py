"""Float islands: put chosen ops of an int8 model back in float, inside the same XNNPACK partition.

Some ops cost almost nothing but lose most accuracy in int8: the squeeze-and-
excite gates (1x1 spatial: a handful of multiply-adds per channel) and the
detector's box heads, whose single per-tensor output scale cannot serve both
large box sizes and sub-pixel keypoint offsets. Before quantizing, those ops
are hidden behind an opaque custom op, so the quantizer (allowed to leave what
it does not know in float) wraps them in DEQUANTIZE/QUANTIZE; then the original
float ops are put back. XNNPACK runs float and int8 nodes in one partition.
"""

from __future__ import annotations

import copy

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import graph as g

_SHAPE_KEEPERS = {"RESHAPE", "CONCATENATION"}


def choose(float_model: bytes, heads: bool) -> list[str]:
    """Output tensor names of the ops to keep float.

    Every op whose output is 1x1 spatially (squeeze-and-excite gates, global
    heads) apart from the MEAN that forms the gate; with ``heads`` also the
    convolutions that feed the model outputs through RESHAPE/CONCATENATION
    only, and those reshapes and concatenations.
    """
    model = g.load(float_model)
    sub = model.subgraphs[0]
    writer = g.producers(sub)
    names = []
    for op in sub.operators:
        kind = g.op_name(model, op)
        shape = g.shape_of(sub.tensors[int(op.outputs[0])])
        if len(shape) == 4 and shape[1] * shape[2] == 1 and kind not in ("MEAN", "AVERAGE_POOL_2D"):
            names.append(_name(sub, int(op.outputs[0])))
    if heads:
        pending = [int(t) for t in sub.outputs]
        while pending:
            tensor = pending.pop()
            if tensor not in writer:
                continue
            op = sub.operators[writer[tensor]]
            names.append(_name(sub, tensor))
            if g.op_name(model, op) in _SHAPE_KEEPERS:
                pending.extend(int(t) for t in op.inputs if t >= 0 and g.constant(model, int(t)) is None)
    return sorted(set(names))


ISLAND_CODE = b"MagicboothFloatIsland"


def hide(calibrated: bytes, names: list[str]) -> tuple[bytes, dict[str, tuple[int, int, int, object]]]:
    """Turn the island ops into an opaque custom op so the quantizer leaves them float.

    Returns the edited model and, per output name, what to restore: (builtin, version, options type, options).
    """
    model = g.load(calibrated)
    sub = model.subgraphs[0]
    code = fb.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = fb.BuiltinOperator.CUSTOM
    code.customCode = ISLAND_CODE
    code.version = 1
    model.operatorCodes.append(code)
    custom = len(model.operatorCodes) - 1
    saved: dict[str, tuple[int, int, int, object]] = {}
    for op in sub.operators:
        name = _name(sub, int(op.outputs[0]))
        if name in names:
            original = model.operatorCodes[op.opcodeIndex]
            builtin = max(original.builtinCode, original.deprecatedBuiltinCode)
            saved[name] = (builtin, original.version, op.builtinOptionsType, copy.deepcopy(op.builtinOptions))
            op.opcodeIndex = custom
            op.builtinOptionsType, op.builtinOptions = 0, None
            op.customOptions = np.frombuffer(name.encode(), np.uint8).copy()
    g.compact(model)
    return g.save(model), saved


def restore(quantized: bytes, saved: dict[str, tuple[int, int, int, object]]) -> bytes:
    """Put the float island ops back in place of their custom stand-ins."""
    model = g.load(quantized)
    sub = model.subgraphs[0]
    for op in sub.operators:
        code = model.operatorCodes[op.opcodeIndex]
        if code.customCode is not None and bytes(code.customCode) == ISLAND_CODE:
            builtin, version, options_type, options = saved[_name(sub, int(op.outputs[0]))]
            op.opcodeIndex = g.opcode_index(model, builtin, version)
            op.builtinOptionsType, op.builtinOptions = options_type, options
            op.customOptions = None
    g.compact(model)
    return g.save(model)


def float_ops(content: bytes) -> list[str]:
    """Output names of ops computing in float32, other than QUANTIZE/DEQUANTIZE at the int8 borders."""
    model = g.load(content)
    sub = model.subgraphs[0]
    return [_name(sub, int(op.outputs[0])) for op in sub.operators
            if g.op_name(model, op) not in ("QUANTIZE", "DEQUANTIZE")
            and sub.tensors[int(op.outputs[0])].type == fb.TensorType.FLOAT32]


def _name(sub: fb.SubGraphT, index: int) -> str:
    return bytes(sub.tensors[index].name).decode()
