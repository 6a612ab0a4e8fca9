"""Cross-layer equalization: even out per-channel activation ranges before per-tensor int8 activations.

A depthwise convolution's output channels span very different ranges (one
channel up to 40, its neighbour within 0.5), and int8 activations get one
scale per tensor, so the small channels drown. When that output feeds only a
convolution, through no activation or a RELU (both commute with a positive
scale), channel c can be divided by s_c in the producer and multiplied back
into the consumer's input-channel weights: the float function is unchanged.
Choosing s_c = sqrt(a_c / w_c) (a_c: the channel's calibrated activation peak,
w_c: the consumer's largest weight on it) makes activation and weight ranges
meet in the middle, after Nagel et al., "Data-Free Quantization" (2019), with
measured activation peaks instead of weight-derived ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tools.modelfactory import graph as g

Act = fb.ActivationFunctionType
_PRODUCERS = {"CONV_2D", "DEPTHWISE_CONV_2D"}
_SAFE_ACTIVATIONS = {Act.NONE, Act.RELU}
_CONSUMERS = {"CONV_2D", "DEPTHWISE_CONV_2D"}
_MAX_SCALE = 64.0


def channel_peaks(content: bytes, samples: Sequence[np.ndarray]) -> dict[int, np.ndarray]:
    """Per tensor index, the largest |value| of each channel over ``samples`` (float model, no delegate)."""
    peaks: dict[int, np.ndarray] = {}
    interpreter = Interpreter(model_content=content, num_threads=1, experimental_preserve_all_tensors=True,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    detail = interpreter.get_input_details()[0]
    tensors = [t for t in interpreter.get_tensor_details() if t["dtype"] == np.float32 and len(t["shape"]) == 4]
    for sample in samples:
        interpreter.set_tensor(detail["index"], sample.astype(np.float32))
        interpreter.invoke()
        for tensor in tensors:
            try:
                value = interpreter.get_tensor(tensor["index"])
            except ValueError:
                continue
            peak = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
            index = tensor["index"]
            peaks[index] = np.maximum(peaks[index], peak) if index in peaks else peak
    return peaks


def equalize(model: fb.ModelT, peaks: dict[int, np.ndarray]) -> int:
    """Rescale every eligible producer/consumer pair in place; return how many pairs."""
    sub = model.subgraphs[0]
    readers = g.consumers(sub)
    done = 0
    for op in sub.operators:
        if g.op_name(model, op) not in _PRODUCERS or op.builtinOptions.fusedActivationFunction not in \
                _SAFE_ACTIVATIONS:
            continue
        out = int(op.outputs[0])
        users = readers.get(out, [])
        if len(users) != 1 or g.is_graph_output(sub, out) or out not in peaks:
            continue
        consumer = sub.operators[users[0]]
        kind = g.op_name(model, consumer)
        if kind not in _CONSUMERS or int(consumer.inputs[0]) != out:
            continue
        if kind == "DEPTHWISE_CONV_2D" and consumer.builtinOptions.depthMultiplier != 1:
            continue
        w1, b1 = g.constant(model, int(op.inputs[1])), _bias(model, op)
        w2 = g.constant(model, int(consumer.inputs[1]))
        if w1 is None or w2 is None or b1 is None:
            continue
        # Weight tensors are OHWI (conv) or 1HWO (depthwise); the channel axis of the link:
        producer_axis = 0 if g.op_name(model, op) == "CONV_2D" else 3
        consumer_axis = 3  # conv input channel, or depthwise channel
        weight_peak = np.abs(np.moveaxis(w2, consumer_axis, 0).reshape(w2.shape[consumer_axis], -1)).max(axis=1)
        activation_peak = peaks[out]
        if activation_peak.shape != weight_peak.shape:
            continue
        scale = np.sqrt(np.maximum(activation_peak, 1e-6) / np.maximum(weight_peak, 1e-6))
        scale = np.clip(scale / np.median(scale), 1 / _MAX_SCALE, _MAX_SCALE).astype(np.float32)
        shape1 = [1] * w1.ndim
        shape1[producer_axis] = -1
        shape2 = [1] * w2.ndim
        shape2[consumer_axis] = -1
        g.set_constant(model, int(op.inputs[1]), (w1 / scale.reshape(shape1)).astype(np.float32))
        g.set_constant(model, int(op.inputs[2]), (b1 / scale).astype(np.float32))
        g.set_constant(model, int(consumer.inputs[1]), (w2 * scale.reshape(shape2)).astype(np.float32))
        done += 1
    g.compact(model)
    return done


def _bias(model: fb.ModelT, op: fb.OperatorT) -> np.ndarray | None:
    if len(op.inputs) < 3 or op.inputs[2] < 0:
        return None
    return g.constant(model, int(op.inputs[2]))
