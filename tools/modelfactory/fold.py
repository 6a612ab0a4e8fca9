"""Load-time clean-up: sparse and fp16 constants become dense fp32 constants; add a signature.

MediaPipe stores weights as fp16 with a DEQUANTIZE op in front of each (and the
sparse full-range face detector some of them block-sparse behind a DENSIFY op);
the quantizer and XNNPACK's int8 path want plain fp32 constants, and
ai-edge-quantizer wants a serving signature, which none of the originals has.
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tools.modelfactory import graph as g

SIGNATURE_KEY = "serving_default"


def fold_dequantize(model: fb.ModelT) -> int:
    """Replace DEQUANTIZE(constant fp16) with an fp32 constant; return how many were folded."""
    sub = model.subgraphs[0]
    kept = []
    folded = 0
    for op in sub.operators:
        if g.op_name(model, op) == "DEQUANTIZE":
            data = g.constant(model, int(op.inputs[0]))
            if data is not None and data.dtype == np.float16:
                g.set_constant(model, int(op.outputs[0]), data.astype(np.float32))
                folded += 1
                continue
        kept.append(op)
    sub.operators = kept
    g.compact(model)
    return folded


def fold_densify(model: fb.ModelT) -> int:
    """Replace DENSIFY(sparse constant) with the dense constant it computes; return how many were folded.

    LiteRT's own DENSIFY kernel does the decoding (block sparsity, traversal order): the graph runs once on
    zeros with every tensor kept, and each DENSIFY output is read back, bit for bit what the original computes.
    """
    sub = model.subgraphs[0]
    found = [int(op.outputs[0]) for op in sub.operators if g.op_name(model, op) == "DENSIFY"]
    if not found:
        return 0
    interpreter = Interpreter(model_content=g.save(model), num_threads=1, experimental_preserve_all_tensors=True,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
    interpreter.invoke()
    dense = {index: np.array(interpreter.get_tensor(index)) for index in found}
    for index, array in dense.items():
        g.set_constant(model, index, array)
    sub.operators = [op for op in sub.operators if g.op_name(model, op) != "DENSIFY"]
    g.compact(model)
    return len(found)


def add_signature(model: fb.ModelT, input_names: list[str], output_names: list[str]) -> None:
    """Give the graph one ``serving_default`` signature with readable input and output names."""
    sub = model.subgraphs[0]
    signature = fb.SignatureDefT()
    signature.signatureKey = SIGNATURE_KEY.encode()
    signature.subgraphIndex = 0
    signature.inputs = [_tensor_map(name, int(t)) for name, t in zip(input_names, sub.inputs, strict=True)]
    signature.outputs = [_tensor_map(name, int(t)) for name, t in zip(output_names, sub.outputs, strict=True)]
    model.signatureDefs = [signature]


def _tensor_map(name: str, index: int) -> fb.TensorMapT:
    entry = fb.TensorMapT()
    entry.name = name.encode()
    entry.tensorIndex = index
    return entry
