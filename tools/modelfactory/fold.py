"""Load-time clean-up: fp16 constants behind DEQUANTIZE become fp32 constants; add a signature.

MediaPipe stores weights as fp16 with a DEQUANTIZE op in front of each; the
quantizer and XNNPACK's int8 path want plain fp32 constants, and
ai-edge-quantizer wants a serving signature, which none of the originals has.
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb

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
