"""How far a rebuilt model is from a shipped one: graph, constants and quantization parameters.

Byte identity is the claim where the build environment is the one ``manifest.toml`` [build] records
(the lock installs it). With other versions of the packages that render the calibration scenes and run
the float kernels, the observed activation ranges move a little: OpenCV 5.1's float ``warpAffine``
differs from 5.0's by up to 6e-5, which flips a few blended scene pixels by one step and moved the
detector's activation scales by up to 7e-6 (relative); for the other models (``build_models.py
--check``) scales moved by up to 8e-4, int8 weights by one step and the float islands' equalized
weights by up to 2.5e-4 of their peak. The least-error range search picks from a grid of candidate
ends 2% of the observed range apart, so a larger move can jump one tensor's scale by a grid step or
two. ``differences`` measures all of that, so a rebuild elsewhere is held to a stated tolerance
instead of to bytes, and the report says what moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import graph as g

SCALE_TOLERANCE = 0.05  # relative: two steps of the least-error range grid (ranges.CLIP_FRACTIONS), with margin
ZERO_POINT_TOLERANCE = 3  # int8 steps: a 5% scale change moves a zero point near -128 by up to 6; few are there
STEP_TOLERANCE = 1.5  # quantized constants, in steps of the shipped grid: a weight may round the other way,
# and a bias re-quantized on a moved scale lands up to one step away
FLOAT_TOLERANCE = 0.01  # float island constants, relative to the tensor's peak: equalization divides them by
# per-channel activation peaks, so they move with the calibration (2.5e-4 measured with OpenCV 5.1)


@dataclass
class ModelDiff:
    """What differs between two models of the same graph; ``structure`` lists what no tolerance covers."""

    structure: list[str] = field(default_factory=list)
    worst_scale: float = 0.0  # largest relative change of a quantization scale
    worst_zero_point: int = 0  # largest change of a zero point
    worst_steps: float = 0.0  # largest change of a quantized constant's real value, in steps of its grid
    worst_float: float = 0.0  # largest change of a float constant, relative to its tensor's peak
    changed: list[str] = field(default_factory=list)  # tensors whose bytes or parameters differ

    @property
    def identical(self) -> bool:
        return not self.structure and not self.changed

    @property
    def within_tolerance(self) -> bool:
        return (not self.structure and self.worst_scale <= SCALE_TOLERANCE
                and self.worst_zero_point <= ZERO_POINT_TOLERANCE and self.worst_steps <= STEP_TOLERANCE
                and self.worst_float <= FLOAT_TOLERANCE)

    def describe(self) -> str:
        if self.structure:
            return "different graph: " + "; ".join(self.structure[:5]) + (
                f" (+{len(self.structure) - 5} more)" if len(self.structure) > 5 else "")
        if self.identical:
            return "identical"
        return (f"same graph, {len(self.changed)} tensor(s) differ: scales by up to {self.worst_scale:.2g} relative "
                f"(tolerance {SCALE_TOLERANCE:g}), zero points by {self.worst_zero_point} "
                f"(tolerance {ZERO_POINT_TOLERANCE}), quantized constants by {self.worst_steps:.2g} steps "
                f"(tolerance {STEP_TOLERANCE:g}), float constants by {self.worst_float:.2g} of their peak "
                f"(tolerance {FLOAT_TOLERANCE:g}); first: {', '.join(self.changed[:4])}")


def differences(built: bytes, shipped: bytes) -> ModelDiff:
    """Compare two .tflite files tensor by tensor (same order expected: the factory is deterministic)."""
    diff = ModelDiff()
    a, b = g.load(built), g.load(shipped)
    if len(a.subgraphs) != len(b.subgraphs):
        diff.structure.append(f"{len(a.subgraphs)} subgraphs, shipped {len(b.subgraphs)}")
        return diff
    sa, sb = a.subgraphs[0], b.subgraphs[0]
    ops_a, ops_b = _ops(a, sa), _ops(b, sb)
    if ops_a != ops_b:
        first = next((i for i, (x, y) in enumerate(zip(ops_a, ops_b, strict=False)) if x != y), min(len(ops_a),
                                                                                                len(ops_b)))
        diff.structure.append(f"{len(ops_a)} ops, shipped {len(ops_b)}; first difference at op {first}")
    if len(sa.tensors) != len(sb.tensors):
        diff.structure.append(f"{len(sa.tensors)} tensors, shipped {len(sb.tensors)}")
    if diff.structure:
        return diff
    if list(sa.inputs) != list(sb.inputs) or list(sa.outputs) != list(sb.outputs):
        diff.structure.append("graph inputs or outputs")
    for index, (ta, tb) in enumerate(zip(sa.tensors, sb.tensors, strict=True)):
        name = bytes(ta.name).decode()
        if bytes(ta.name) != bytes(tb.name) or ta.type != tb.type or g.shape_of(ta) != g.shape_of(tb):
            diff.structure.append(f"tensor {index} {name!r}: name, type or shape")
            continue
        changed = _compare_quantization(diff, name, ta.quantization, tb.quantization)
        changed |= _compare_constant(diff, name, (a, index), (b, index))
        if changed:
            diff.changed.append(name)
    return diff


def _ops(model: fb.ModelT, sub: fb.SubGraphT) -> list[tuple]:
    """Each operator as (kind, version, inputs, outputs, options): all but the tensors' contents."""
    found = []
    for op in sub.operators:
        code = model.operatorCodes[op.opcodeIndex]
        options = vars(op.builtinOptions) if op.builtinOptions is not None else {}
        found.append((g.op_name(model, op), code.version, tuple(int(t) for t in op.inputs),
                      tuple(int(t) for t in op.outputs), op.builtinOptionsType,
                      tuple((k, _plain(v)) for k, v in sorted(options.items())),
                      None if op.customOptions is None else bytes(np.asarray(op.customOptions, np.uint8))))
    return found


def _plain(value: object) -> object:
    """An option value that compares with ``==`` (arrays become tuples)."""
    if isinstance(value, np.ndarray | list | tuple):
        return tuple(np.asarray(value).reshape(-1).tolist())
    return value


def _array(values: object) -> np.ndarray:
    return np.zeros(0) if values is None else np.asarray(values).reshape(-1)


def _compare_quantization(diff: ModelDiff, name: str, qa: fb.QuantizationParametersT | None,
                          qb: fb.QuantizationParametersT | None) -> bool:
    scale_a, scale_b = _array(qa and qa.scale), _array(qb and qb.scale)
    zero_a, zero_b = _array(qa and qa.zeroPoint), _array(qb and qb.zeroPoint)
    axis_a, axis_b = (qa.quantizedDimension if qa else 0), (qb.quantizedDimension if qb else 0)
    if scale_a.shape != scale_b.shape or zero_a.shape != zero_b.shape or axis_a != axis_b:
        diff.structure.append(f"{name}: quantization layout")
        return False
    changed = False
    if scale_a.size and not np.array_equal(scale_a, scale_b):
        relative = np.abs(scale_a.astype(np.float64) - scale_b) / np.maximum(np.abs(scale_b.astype(np.float64)), 1e-30)
        diff.worst_scale = max(diff.worst_scale, float(relative.max()))
        changed = True
    if zero_a.size and not np.array_equal(zero_a, zero_b):
        diff.worst_zero_point = max(diff.worst_zero_point, int(np.abs(zero_a.astype(np.int64) - zero_b).max()))
        changed = True
    return changed


def _compare_constant(diff: ModelDiff, name: str, at_a: tuple[fb.ModelT, int], at_b: tuple[fb.ModelT, int]) -> bool:
    (a, index), (b, _) = at_a, at_b
    ta, tb = a.subgraphs[0].tensors[index], b.subgraphs[0].tensors[index]
    data_a, data_b = a.buffers[ta.buffer].data, b.buffers[tb.buffer].data
    bytes_a = b"" if data_a is None else bytes(np.asarray(data_a, np.uint8))
    bytes_b = b"" if data_b is None else bytes(np.asarray(data_b, np.uint8))
    if bytes_a == bytes_b:
        return False
    if not bytes_a or not bytes_b:
        diff.structure.append(f"{name}: constant in one model only")
        return False
    value_a, (value_b, step_b) = _dequantized(a, index)[0], _dequantized(b, index)
    if step_b is None:
        peak = max(float(np.abs(value_b).max()), 1e-30)
        diff.worst_float = max(diff.worst_float, float(np.abs(value_a - value_b).max()) / peak)
    else:
        diff.worst_steps = max(diff.worst_steps, float((np.abs(value_a - value_b) / step_b).max()))
    return True


def _dequantized(model: fb.ModelT, index: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Constant tensor ``index`` as float64 real values, and its quantization step per value (None if float)."""
    tensor = model.subgraphs[0].tensors[index]
    value = g.constant(model, index).astype(np.float64)
    quant = tensor.quantization
    scale = _array(quant and quant.scale)
    if not scale.size or tensor.type in (fb.TensorType.FLOAT32, fb.TensorType.FLOAT16):
        return value, None
    zero = _array(quant.zeroPoint)
    zero = zero if zero.size else np.zeros_like(scale)
    shape = [1] * value.ndim
    if scale.size > 1:
        shape[quant.quantizedDimension] = -1
    step = np.broadcast_to(np.maximum(scale.reshape(shape), 1e-30), value.shape)
    return (value - zero.reshape(shape)) * scale.reshape(shape), step
