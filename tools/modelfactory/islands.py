"""Float islands: quantize a model with chosen ops left in float.

Two uses. The report's sensitivity sweep keeps one block of ops in float and
measures how much accuracy comes back, which names the block responsible for an
int8 accuracy miss (per-tensor error growth alone misleads: errors entering a
sigmoid look large and matter little). And a spec's ``float_ops`` (the face
mesh's PReLUs: every int8 form measured slower) ``float_head`` (the
detector's box and score convolutions: int8 rounding there lands straight on
the outputs), ``float_stem`` (each model's first block), ``float_tail`` (the
full-range detector's last FPN level) and ``float_squeeze`` (the segmenters'
squeeze-and-excite branches) ship as islands. The ops
are hidden behind an opaque custom op so the quantizer, allowed to leave what
it does not know in float, wraps them in DEQUANTIZE/QUANTIZE; then the original
float ops are put back. XNNPACK runs the whole mixed graph as one partition.
"""

from __future__ import annotations

import copy

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import graph as g
from tools.modelfactory import quantize as q
from tools.modelfactory.specs import ModelSpec

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
    _unshare(model, {i for i, op in enumerate(sub.operators) if _name(sub, int(op.outputs[0])) in names})
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


def _unshare(model: fb.ModelT, island: set[int]) -> None:
    """Give island ops their own copy of any constant they share with int8 ops.

    The palm detector reuses one bias tensor across depthwise convolutions; quantized for the int8
    ones it would reach a float island as int32.
    """
    sub = model.subgraphs[0]
    readers: dict[int, set[int]] = {}
    for i, op in enumerate(sub.operators):
        for t in op.inputs:
            if t >= 0 and g.constant(model, int(t)) is not None:
                readers.setdefault(int(t), set()).add(i)
    for tensor, ops in readers.items():
        if not (ops & island) or ops <= island:
            continue
        original = sub.tensors[tensor]
        copy_index = g.add_tensor(model, bytes(original.name).decode() + "/island", g.shape_of(original),
                                  g.NUMPY_TYPES[original.type], g.constant(model, tensor))
        for i in ops & island:
            op = sub.operators[i]
            op.inputs = np.array([copy_index if int(t) == tensor else int(t) for t in op.inputs], np.int32)


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


def quantize(calibrated: bytes, names: list[str], io: type = np.float32) -> bytes:
    """Quantize a calibrated model to int8 with ``io`` model I/O, the ops writing ``names`` left float."""
    hidden, saved = hide(calibrated, names)
    return restore(q.full_int8(hidden, [], io, allow_float=True), saved)


# The full-range detector's head also upsamples: CONV_2D -> PAD -> DEPTHWISE_CONV_2D (stride 2) -> DEPTH_TO_SPACE.
HEAD_KINDS = ("CONV_2D", "RESHAPE", "CONCATENATION", "DEPTH_TO_SPACE", "DEPTHWISE_CONV_2D", "PAD")
_BORDERS = ("QUANTIZE", "DEQUANTIZE")  # an island's int8 <-> float32 edges, not computation


def for_spec(content: bytes, spec: ModelSpec) -> list[str]:
    """Output names of the ops ``spec`` keeps float: its stem and tail, its ``float_ops`` kinds, head and squeeze
    branches."""
    model = g.load(content)
    sub = model.subgraphs[0]
    # Stem and tail count computing ops only, so an int8 graph (with its QUANTIZE/DEQUANTIZE) names the same ops.
    computing = [i for i, op in enumerate(sub.operators) if g.op_name(model, op) not in _BORDERS]
    picked = set(computing[:spec.float_stem]) | set(computing[len(computing) - spec.float_tail:] if spec.float_tail
                                                     else ())
    picked |= _of_kinds(model, spec.float_ops)
    if spec.float_head:
        picked |= _head(model)
    if spec.float_squeeze:
        picked |= _squeeze(model)
    return _names(sub, picked)


def outputs_of(content: bytes, kinds: tuple[str, ...]) -> list[str]:
    """Output names of every op of the given kinds (e.g. ``("PRELU",)``)."""
    model = g.load(content)
    return _names(model.subgraphs[0], _of_kinds(model, kinds))


def head_of(content: bytes) -> list[str]:
    """Output names of the output head: from each graph output back through RESHAPE, CONCATENATION (and the
    full-range detector's DEPTH_TO_SPACE, depthwise convolution and PAD) to the CONV_2D that produce them
    (those convolutions included, their inputs not)."""
    model = g.load(content)
    return _names(model.subgraphs[0], _head(model))


def squeeze_of(content: bytes) -> list[str]:
    """Output names of the squeeze-and-excite branches' ops (see ``_squeeze``)."""
    model = g.load(content)
    return _names(model.subgraphs[0], _squeeze(model))


def _of_kinds(model: fb.ModelT, kinds: tuple[str, ...]) -> set[int]:
    return {i for i, op in enumerate(model.subgraphs[0].operators) if g.op_name(model, op) in kinds}


def _head(model: fb.ModelT) -> set[int]:
    sub = model.subgraphs[0]
    writer = g.producers(sub)
    found: set[int] = set()
    pending = [int(t) for t in sub.outputs]
    while pending:
        tensor = pending.pop()
        if tensor not in writer or writer[tensor] in found:
            continue
        op = sub.operators[writer[tensor]]
        kind = g.op_name(model, op)
        if kind not in HEAD_KINDS:
            continue
        found.add(writer[tensor])
        if kind != "CONV_2D":
            pending.extend(int(t) for t in op.inputs if t >= 0 and g.constant(model, int(t)) is None)
    return found


def _squeeze(model: fb.ModelT) -> set[int]:
    """Ops whose activation inputs and outputs are all 1x1 spatially (NHWC with H = W = 1).

    A squeeze-and-excite branch is MEAN -> CONV_2D -> CONV_2D -> LOGISTIC: the MEAN reads the full feature map,
    so it stays int8 and only the few values after it cross into float.
    """
    sub = model.subgraphs[0]
    found = set()
    for i, op in enumerate(sub.operators):
        if g.op_name(model, op) in _BORDERS:
            continue
        tensors = [int(t) for t in [*op.inputs, *op.outputs] if t >= 0 and g.constant(model, int(t)) is None]
        shapes = [g.shape_of(sub.tensors[t]) for t in tensors]
        if shapes and all(len(s) == 4 and s[1] == s[2] == 1 for s in shapes):
            found.add(i)
    return found


def _names(sub: fb.SubGraphT, ops: set[int]) -> list[str]:
    return [_name(sub, int(sub.operators[i].outputs[0])) for i in sorted(ops)]


def float_ops(content: bytes) -> list[str]:
    """Output names of ops computing in float32, other than QUANTIZE/DEQUANTIZE at the int8 borders."""
    model = g.load(content)
    sub = model.subgraphs[0]
    return [_name(sub, int(op.outputs[0])) for op in sub.operators
            if g.op_name(model, op) not in _BORDERS
            and sub.tensors[int(op.outputs[0])].type == fb.TensorType.FLOAT32]


def _name(sub: fb.SubGraphT, index: int) -> str:
    return bytes(sub.tensors[index].name).decode()
