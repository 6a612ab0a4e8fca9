"""Where int8 error comes from: per-tensor error of the int8 model against the float one it was made from.

Both models run with every intermediate tensor kept; tensors are matched by
name (the quantizer keeps them). The error of a tensor is RMS(int8 - float) /
RMS(float); the op whose output error grows most over its inputs' is the one
to blame for an accuracy miss. Tensors clipped on purpose (``ranges.capped_names``:
logits far beyond where a sigmoid is flat) are compared with the float values
clipped to their int8 range, or the clipping would take the blame.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tools.modelfactory import graph as g


@dataclass(frozen=True)
class LayerError:
    op_index: int
    op: str
    tensor: str
    error: float  # relative RMS error of this op's output
    growth: float  # error minus the worst error among its activation inputs


def _run_all(content: bytes, sample: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, tuple[float, float]]]:
    """Every float or dequantized tensor by name, and each int8 tensor's representable range."""
    # Without XNNPACK: a delegate keeps its intermediate tensors to itself.
    interpreter = Interpreter(model_content=content, num_threads=1, experimental_preserve_all_tensors=True,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    detail = interpreter.get_input_details()[0]
    value = sample.astype(np.float32)
    if detail["dtype"] == np.int8:
        scale, zero = detail["quantization"]
        value = np.clip(np.round(value / scale) + zero, -128, 127).astype(np.int8)
    interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    values, limits = {}, {}
    for tensor in interpreter.get_tensor_details():
        try:
            value = interpreter.get_tensor(tensor["index"])
        except ValueError:
            continue
        if tensor["dtype"] == np.int8 and tensor["quantization"][0] > 0:
            scale, zero = tensor["quantization"]
            value = (value.astype(np.float32) - zero) * scale
            limits[tensor["name"]] = ((-128 - zero) * scale, (127 - zero) * scale)
        elif tensor["dtype"] != np.float32:
            continue
        values[tensor["name"]] = np.array(value, np.float32)
    return values, limits


def layer_errors(float_model: bytes, int8_model: bytes, samples: Sequence[np.ndarray],
                 clipped_by_design: Collection[str] = ()) -> list[LayerError]:
    """Relative error per op output of the float graph, averaged over ``samples``, in graph order."""
    model = g.load(float_model)
    sub = model.subgraphs[0]
    names = {i: bytes(t.name).decode() for i, t in enumerate(sub.tensors)}
    totals: dict[str, float] = {}
    for sample in samples:
        ref, _ = _run_all(float_model, sample)
        got, limits = _run_all(int8_model, sample)
        for name, value in ref.items():
            key = name if name in got else name + "_int8"
            other = got.get(key)
            if other is None or other.shape != value.shape:
                continue
            if name in clipped_by_design and key in limits:
                value = np.clip(value, *limits[key])
            rms = float(np.sqrt(np.mean(value.astype(np.float64) ** 2))) or 1.0
            totals[name] = totals.get(name, 0.0) + float(np.sqrt(np.mean((other - value) ** 2))) / rms
    errors = {name: total / len(samples) for name, total in totals.items()}
    result = []
    for i, op in enumerate(sub.operators):
        out = names[int(op.outputs[0])]
        if out not in errors:
            continue
        inputs = [errors.get(names[int(t)], 0.0) for t in op.inputs if t >= 0 and g.constant(model, int(t)) is None]
        result.append(LayerError(i, g.op_name(model, op), out, errors[out], errors[out] - max(inputs, default=0.0)))
    return result
