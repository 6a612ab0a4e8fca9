"""Numerical checks that a rewritten float model computes what its predecessor did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner

TOLERANCE = 1e-4  # max abs difference, relative to the output scale (at least 1): float re-association noise


class EquivalenceError(AssertionError):
    """A rewrite changed what the model computes."""


@dataclass(frozen=True)
class Check:
    step: str
    max_abs: float
    scale: float

    @property
    def passed(self) -> bool:
        return self.max_abs <= TOLERANCE * self.scale

    def describe(self) -> str:
        return f"{self.step}: max |diff| {self.max_abs:.2e} (output scale {self.scale:.3g})"


def compare(step: str, before: bytes, after: bytes, inputs: Sequence[np.ndarray]) -> Check:
    """Run both models on the same inputs; raise EquivalenceError past the tolerance."""
    old, new = Runner(before), Runner(after)
    worst, scale = 0.0, 1.0
    for array in inputs:
        for a, b in zip(old(array), new(array), strict=True):
            worst = max(worst, float(np.abs(a - b).max()))
            scale = max(scale, float(np.abs(a).max()))
    return _checked(Check(step, worst, scale))


def compare_transpose_conv(step: str, rewritten: fb.ModelT, inputs: Sequence[np.ndarray]) -> Check:
    """Check each TRANSPOSE_CONV against a numpy model of MediaPipe's custom op, on real activations."""
    probe = g.load(g.save(rewritten))
    sub = probe.subgraphs[0]
    sites = [op for op in sub.operators if g.op_name(probe, op) == "TRANSPOSE_CONV"]
    watched = [(int(op.inputs[2]), int(op.outputs[0]), op) for op in sites]
    sub.outputs = np.array([t for src, out, _ in watched for t in (src, out)], dtype=np.int32)
    probe.signatureDefs = []
    runner = Runner(g.save(probe))
    worst, scale = 0.0, 1.0
    for array in inputs:
        values = runner(array)
        for k, (_, _, op) in enumerate(watched):
            source, produced = values[2 * k], values[2 * k + 1]
            weights = g.constant(probe, int(op.inputs[1]))
            bias = g.constant(probe, int(op.inputs[3]))
            options = op.builtinOptions
            expected = transpose_conv_reference(source, weights, bias, options.strideH, options.strideW,
                                                produced.shape)
            worst = max(worst, float(np.abs(expected - produced).max()))
            scale = max(scale, float(np.abs(expected).max()))
    return _checked(Check(step, worst, scale))


def transpose_conv_reference(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, stride_h: int, stride_w: int,
                             out_shape: Sequence[int]) -> np.ndarray:
    """Plain scatter-add transposed convolution (NHWC input, OHWI weights), cropped SAME-style."""
    batch, height, width, _ = x.shape
    out_channels, kh, kw, _ = weights.shape
    full = np.zeros((batch, (height - 1) * stride_h + kh, (width - 1) * stride_w + kw, out_channels), np.float64)
    for dy in range(kh):
        for dx in range(kw):
            contribution = np.einsum("bhwi,oi->bhwo", x.astype(np.float64), weights[:, dy, dx, :])
            full[:, dy:dy + (height - 1) * stride_h + 1:stride_h, dx:dx + (width - 1) * stride_w + 1:stride_w] += \
                contribution
    top = (full.shape[1] - out_shape[1]) // 2
    left = (full.shape[2] - out_shape[2]) // 2
    return (full[:, top:top + out_shape[1], left:left + out_shape[2]] + bias).astype(np.float32)


def _checked(check: Check) -> Check:
    if not check.passed:
        raise EquivalenceError(f"rewrite changed the model: {check.describe()}")
    return check
