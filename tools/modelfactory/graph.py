"""Thin editing layer over the TFLite flatbuffer object API (``ModelT``).

The rewrite passes work on one subgraph of a ``ModelT`` as unpacked by
``ai_edge_litert.schema_py_generated``; this module gives them the few verbs
they need (read a constant, add a tensor or an operator, find producers and
consumers, drop what became unused) so each pass stays a short function.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as fb

FILE_IDENTIFIER = b"TFL3"

OP_NAMES: dict[int, str] = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES: dict[int, str] = {v: k for k, v in vars(fb.TensorType).items() if not k.startswith("_")}
NUMPY_TYPES: dict[int, type] = {
    fb.TensorType.FLOAT32: np.float32, fb.TensorType.FLOAT16: np.float16, fb.TensorType.INT32: np.int32,
    fb.TensorType.INT8: np.int8, fb.TensorType.UINT8: np.uint8, fb.TensorType.INT64: np.int64,
    fb.TensorType.INT16: np.int16,
}
TFLITE_TYPES: dict[type, int] = {v: k for k, v in NUMPY_TYPES.items()}


def load(data: bytes) -> fb.ModelT:
    """Unpack a .tflite file's bytes into a mutable object tree."""
    return fb.ModelT.InitFromPackedBuf(bytearray(data), 0)


def save(model: fb.ModelT) -> bytes:
    """Pack the object tree back into .tflite bytes (deterministic for equal trees)."""
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=FILE_IDENTIFIER)
    return bytes(builder.Output())


def op_name(model: fb.ModelT, op: fb.OperatorT) -> str:
    """Builtin operator name, or ``CUSTOM:<code>`` for custom ops."""
    code = model.operatorCodes[op.opcodeIndex]
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    if builtin == fb.BuiltinOperator.CUSTOM:
        return "CUSTOM:" + bytes(code.customCode).decode()
    return OP_NAMES[builtin]


def opcode_index(model: fb.ModelT, builtin: int, version: int = 1) -> int:
    """Index of the operator code for ``builtin``, added if missing; raises its version if needed."""
    for i, code in enumerate(model.operatorCodes):
        if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin and builtin != fb.BuiltinOperator.CUSTOM:
            code.version = max(code.version, version)
            return i
    code = fb.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, fb.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES)
    code.version = version
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def constant(model: fb.ModelT, index: int, subgraph: int = 0) -> np.ndarray | None:
    """The constant data behind tensor ``index``, or None for activations."""
    tensor = model.subgraphs[subgraph].tensors[index]
    data = model.buffers[tensor.buffer].data
    if data is None or len(data) == 0:
        return None
    array = np.frombuffer(bytes(np.asarray(data, dtype=np.uint8)), dtype=NUMPY_TYPES[tensor.type])
    return array.reshape(shape_of(tensor))


def shape_of(tensor: fb.TensorT) -> tuple[int, ...]:
    return tuple(int(d) for d in (tensor.shape if tensor.shape is not None else ()))


def add_buffer(model: fb.ModelT, array: np.ndarray | None) -> int:
    buffer = fb.BufferT()
    if array is not None:
        buffer.data = np.frombuffer(np.ascontiguousarray(array).tobytes(), dtype=np.uint8).copy()
    model.buffers.append(buffer)
    return len(model.buffers) - 1


def add_tensor(model: fb.ModelT, name: str, shape: Sequence[int], dtype: type = np.float32,
               data: np.ndarray | None = None, subgraph: int = 0) -> int:
    """Append a tensor (a constant when ``data`` is given); return its index."""
    tensor = fb.TensorT()
    tensor.name = name.encode()
    tensor.shape = np.array(list(shape), dtype=np.int32)
    tensor.type = TFLITE_TYPES[np.dtype(dtype).type]
    if data is not None:
        data = np.asarray(data, dtype=dtype).reshape(tuple(shape))
    tensor.buffer = add_buffer(model, data)
    graph = model.subgraphs[subgraph]
    graph.tensors.append(tensor)
    return len(graph.tensors) - 1


def set_constant(model: fb.ModelT, index: int, array: np.ndarray, subgraph: int = 0) -> None:
    """Give tensor ``index`` new constant data (its own fresh buffer), with matching type and shape."""
    tensor = model.subgraphs[subgraph].tensors[index]
    tensor.type = TFLITE_TYPES[array.dtype.type]
    tensor.shape = np.array(array.shape, dtype=np.int32)
    tensor.buffer = add_buffer(model, array)


def make_op(model: fb.ModelT, builtin: int, inputs: Iterable[int], outputs: Iterable[int],
            options_type: int = 0, options: object | None = None, version: int = 1) -> fb.OperatorT:
    op = fb.OperatorT()
    op.opcodeIndex = opcode_index(model, builtin, version)
    op.inputs = np.array(list(inputs), dtype=np.int32)
    op.outputs = np.array(list(outputs), dtype=np.int32)
    op.builtinOptionsType = options_type
    op.builtinOptions = options
    return op


def consumers(graph: fb.SubGraphT) -> dict[int, list[int]]:
    """Tensor index -> indices of the operators reading it."""
    result: dict[int, list[int]] = {}
    for i, op in enumerate(graph.operators):
        for t in op.inputs:
            if t >= 0:
                result.setdefault(int(t), []).append(i)
    return result


def producers(graph: fb.SubGraphT) -> dict[int, int]:
    """Tensor index -> index of the operator writing it."""
    return {int(t): i for i, op in enumerate(graph.operators) for t in op.outputs}


def is_graph_output(graph: fb.SubGraphT, tensor: int) -> bool:
    return tensor in {int(t) for t in graph.outputs}


def depthwise_1x1(model: fb.ModelT, source: int, weights: np.ndarray, bias: np.ndarray, activation: int,
                  name: str, output: int | None = None) -> tuple[fb.OperatorT, int]:
    """A per-channel ``y = act(w * x + b)`` as a 1x1 DEPTHWISE_CONV_2D; returns (op, output tensor)."""
    graph = model.subgraphs[0]
    shape = shape_of(graph.tensors[source])
    channels = shape[-1]
    w = add_tensor(model, f"{name}/w", (1, 1, 1, channels), np.float32, np.broadcast_to(weights, (channels,)))
    b = add_tensor(model, f"{name}/b", (channels,), np.float32, np.broadcast_to(bias, (channels,)))
    if output is None:
        output = add_tensor(model, name, shape)
    options = fb.DepthwiseConv2DOptionsT()
    options.padding = fb.Padding.VALID
    options.strideW = options.strideH = 1
    options.dilationWFactor = options.dilationHFactor = 1
    options.depthMultiplier = 1
    options.fusedActivationFunction = activation
    op = make_op(model, fb.BuiltinOperator.DEPTHWISE_CONV_2D, [source, w, b], [output],
                 fb.BuiltinOptions.DepthwiseConv2DOptions, options)
    return op, output


def compact(model: fb.ModelT) -> None:
    """Drop tensors, buffers and operator codes nothing refers to any more; renumber the rest."""
    graph = model.subgraphs[0]
    used = {int(t) for op in graph.operators for t in list(op.inputs) + list(op.outputs) if t >= 0}
    used |= {int(t) for t in graph.inputs} | {int(t) for t in graph.outputs}
    if op_intermediates := [op.intermediates for op in graph.operators if op.intermediates is not None]:
        used |= {int(t) for ts in op_intermediates for t in ts}
    keep = sorted(used)
    remap = {old: new for new, old in enumerate(keep)}
    graph.tensors = [graph.tensors[i] for i in keep]

    def renumber(values: Iterable[int]) -> np.ndarray:
        return np.array([remap[int(v)] if v >= 0 else -1 for v in values], dtype=np.int32)

    for op in graph.operators:
        op.inputs = renumber(op.inputs)
        op.outputs = renumber(op.outputs)
        if op.intermediates is not None:
            op.intermediates = renumber(op.intermediates)
    graph.inputs = renumber(graph.inputs)
    graph.outputs = renumber(graph.outputs)
    for signature in model.signatureDefs or []:
        for entry in list(signature.inputs or []) + list(signature.outputs or []):
            entry.tensorIndex = remap[entry.tensorIndex]

    # Buffers: index 0 stays the empty sentinel; metadata may point at buffers too.
    used_buffers = {0} | {t.buffer for t in graph.tensors}
    used_buffers |= {m.buffer for m in model.metadata or []}
    keep_buffers = sorted(used_buffers)
    bremap = {old: new for new, old in enumerate(keep_buffers)}
    model.buffers = [model.buffers[i] for i in keep_buffers]
    for t in graph.tensors:
        t.buffer = bremap[t.buffer]
    for m in model.metadata or []:
        m.buffer = bremap[m.buffer]

    used_codes = sorted({op.opcodeIndex for op in graph.operators})
    cremap = {old: new for new, old in enumerate(used_codes)}
    model.operatorCodes = [model.operatorCodes[i] for i in used_codes]
    for op in graph.operators:
        op.opcodeIndex = cremap[op.opcodeIndex]
