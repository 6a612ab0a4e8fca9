"""Cross-layer equalization: even out per-channel activation ranges before per-tensor int8 activations.

A depthwise convolution's output channels span very different ranges (one
channel up to 40, its neighbour within 0.5), and int8 activations get one
scale per tensor, so the small channels drown. When a convolution's output
(no activation or a RELU: both commute with a positive scale) ends up only in
convolutions, channel c can be divided by s_c in the producer and multiplied
back into those consumers' input-channel weights: the float function is
unchanged. The consumers may be several (the two 1x1 depthwise halves of a
rewritten hard-swish) and the scale may pass through per-channel linear ops on
the way (spatial MEAN, MUL by an unscaled tensor: hard-swish and
squeeze-and-excite products), which equalizes those tensors too; in the
MobileNetV3 segmenters that more than doubles the pairs (14 -> 36).
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
    """Rescale every eligible producer and the convolutions that absorb its scale, in place; return how many."""
    sub = model.subgraphs[0]
    readers = g.consumers(sub)
    done = 0
    for op in sub.operators:
        if g.op_name(model, op) not in _PRODUCERS or op.builtinOptions.fusedActivationFunction not in \
                _SAFE_ACTIVATIONS:
            continue
        out = int(op.outputs[0])
        absorbers = _absorbers(model, readers, out) if out in peaks else None
        w1, b1 = g.constant(model, int(op.inputs[1])), _bias(model, op)
        if not absorbers or w1 is None or b1 is None:
            continue
        # Weight tensors are OHWI (conv) or 1HWO (depthwise); the absorbers' axis 3 is the linked channel.
        producer_axis = 0 if g.op_name(model, op) == "CONV_2D" else 3
        weights = [g.constant(model, int(sub.operators[u].inputs[1])) for u in absorbers]
        activation_peak = peaks[out]
        if any(w.shape[3] != activation_peak.shape[0] for w in weights):
            continue
        weight_peak = np.max([np.abs(np.moveaxis(w, 3, 0).reshape(w.shape[3], -1)).max(axis=1) for w in weights],
                             axis=0)
        scale = np.sqrt(np.maximum(activation_peak, 1e-6) / np.maximum(weight_peak, 1e-6))
        scale = np.clip(scale / np.median(scale), 1 / _MAX_SCALE, _MAX_SCALE).astype(np.float32)
        shape1 = [1] * w1.ndim
        shape1[producer_axis] = -1
        g.set_constant(model, int(op.inputs[1]), (w1 / scale.reshape(shape1)).astype(np.float32))
        g.set_constant(model, int(op.inputs[2]), (b1 / scale).astype(np.float32))
        for u, w2 in zip(absorbers, weights, strict=True):
            g.set_constant(model, int(sub.operators[u].inputs[1]), (w2 * scale.reshape(1, 1, 1, -1)).astype(np.float32))
        done += 1
    g.compact(model)
    return done


def _absorbers(model: fb.ModelT, readers: dict[int, list[int]], tensor: int) -> list[int] | None:
    """The convolutions that take up a per-channel scale of ``tensor``, or None if some reader cannot.

    The scale may pass through ops that are linear per channel: a spatial MEAN (squeeze-and-excite) and a
    MUL by a tensor that does not carry the scale (the hard-swish product ``x/6 * gate``, the excite
    product ``x * sigmoid``). Every path must end in a convolution reading it as its data input.
    """
    sub = model.subgraphs[0]
    found: set[int] = set()
    carrying, products = {tensor}, []
    pending = [tensor]
    while pending:
        current = pending.pop()
        if g.is_graph_output(sub, current) or not readers.get(current):
            return None
        for user in readers[current]:
            op = sub.operators[user]
            kind = g.op_name(model, op)
            if kind in _CONSUMERS and int(op.inputs[0]) == current and \
                    g.constant(model, int(op.inputs[1])) is not None and \
                    (kind == "CONV_2D" or op.builtinOptions.depthMultiplier == 1):
                found.add(user)
            elif kind == "MEAN" and _spatial_mean(model, op):
                pending.append(int(op.outputs[0]))
                carrying.add(int(op.outputs[0]))
            elif kind == "MUL" and op.builtinOptions.fusedActivationFunction in _SAFE_ACTIVATIONS and \
                    sum(int(t) == current for t in op.inputs) == 1 and \
                    all(g.constant(model, int(t)) is None for t in op.inputs):
                products.append(op)
                pending.append(int(op.outputs[0]))
                carrying.add(int(op.outputs[0]))
            else:
                return None
    if any(all(int(t) in carrying for t in op.inputs) for op in products):  # both factors scaled: not linear
        return None
    return sorted(found)


def _spatial_mean(model: fb.ModelT, op: fb.OperatorT) -> bool:
    axes = g.constant(model, int(op.inputs[1]))
    return axes is not None and 3 not in {int(a) % 4 for a in axes.reshape(-1)}


def _bias(model: fb.ModelT, op: fb.OperatorT) -> np.ndarray | None:
    if len(op.inputs) < 3 or op.inputs[2] < 0:
        return None
    return g.constant(model, int(op.inputs[2]))
