"""Rewrite passes: turn ops XNNPACK's int8 path cannot take into equivalent ones it can.

Each pass edits a ``ModelT`` in place, returns how many sites it changed, and
keeps the float function unchanged (``equivalence`` checks that numerically):

- ``fuse_activations``: a standalone RELU/RELU6 after CONV_2D, DEPTHWISE_CONV_2D
  or ADD becomes the producer's fused activation (XNNPACK has no int8 RELU node,
  and a fused clamp also gives the int8 range to the useful half).
- ``transpose_conv``: MediaPipe's custom ``Convolution2DTransposeBias`` becomes
  the builtin TRANSPOSE_CONV with its bias input.
- ``prelu``: ``a*x + relu((1 - a)*x)`` when all alphas are <= 1, else
  ``x + (1 - a) * relu(-x)``; both from 1x1 DEPTHWISE_CONV_2D and ADD.
- ``hard_swish``: ``x * relu6(x + 3) / 6`` as MUL(DEPTHWISE(1/6), DEPTHWISE(1, +3, RELU6)).
- ``depth_to_space_upsample``: a TRANSPOSE_CONV whose kernel equals its stride
  becomes CONV_2D 1x1 + DEPTH_TO_SPACE (same function, much faster in int8).
- ``global_average_pool``: an AVERAGE_POOL_2D whose window covers the whole
  feature map becomes MEAN over height and width (keep dims).

And one pass on the finished int8 graph (``pipeline.quantized``), where it
changes neither the islands nor the calibration:

- ``fold_pads``: a zero PAD of (k-1)/2 on each side before a stride-1 k×k
  convolution with VALID padding becomes that convolution with SAME padding
  (the full-range detector has 36). XNNPACK folds such a PAD itself in float
  and int8, but not among fp16 islands (``fp16``): there they cost 3.4 M of the
  full-range graph's 42.3 M Cortex-A76 instructions. Int8 SAME padding pads with
  the input's zero point, as the PAD did: outputs bit-identical.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import graph as g

Act = fb.ActivationFunctionType
_FUSABLE = {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD"}
_ACTIVATIONS = {"RELU": Act.RELU, "RELU6": Act.RELU6}


def fuse_activations(model: fb.ModelT) -> int:
    """Fold standalone RELU/RELU6 into a single-consumer producer's fused activation."""
    sub = model.subgraphs[0]
    readers = g.consumers(sub)
    writer = g.producers(sub)
    drop: set[int] = set()
    for i, op in enumerate(sub.operators):
        activation = _ACTIVATIONS.get(g.op_name(model, op))
        if activation is None:
            continue
        source = int(op.inputs[0])
        if source not in writer or len(readers.get(source, [])) != 1 or g.is_graph_output(sub, source):
            continue
        producer = sub.operators[writer[source]]
        options = producer.builtinOptions
        if g.op_name(model, producer) not in _FUSABLE or options.fusedActivationFunction != Act.NONE:
            continue
        options.fusedActivationFunction = activation
        producer.outputs = np.array([int(op.outputs[0])], dtype=np.int32)
        drop.add(i)
    sub.operators = [op for i, op in enumerate(sub.operators) if i not in drop]
    g.compact(model)
    return len(drop)


# MediaPipe's custom op stores TfLiteTransposeConvParams raw: padding, stride_w, stride_h (int32 each);
# TfLitePadding numbers SAME=1, VALID=2, the schema numbers SAME=0, VALID=1.
_CUSTOM_PADDING = {1: fb.Padding.SAME, 2: fb.Padding.VALID}


def transpose_conv(model: fb.ModelT) -> int:
    """Replace ``Convolution2DTransposeBias`` with TRANSPOSE_CONV(output_shape, weights, input, bias)."""
    sub = model.subgraphs[0]

    def build(op: fb.OperatorT) -> list[fb.OperatorT] | None:
        if g.op_name(model, op) != "CUSTOM:Convolution2DTransposeBias":
            return None
        padding, stride_w, stride_h = struct.unpack("<3i", bytes(op.customOptions)[:12])
        source, weights, bias = (int(t) for t in op.inputs)
        out = int(op.outputs[0])
        shape = np.array(g.shape_of(sub.tensors[out]), dtype=np.int32)
        shape_tensor = g.add_tensor(model, f"{bytes(sub.tensors[out].name).decode()}/output_shape",
                                    (4,), np.int32, shape)
        options = fb.TransposeConvOptionsT()
        options.padding = _CUSTOM_PADDING[padding]
        options.strideW, options.strideH = stride_w, stride_h
        options.fusedActivationFunction = Act.NONE
        return [g.make_op(model, fb.BuiltinOperator.TRANSPOSE_CONV, [shape_tensor, weights, source, bias], [out],
                          fb.BuiltinOptions.TransposeConvOptions, options, version=3)]

    return _replace_ops(model, build)


def prelu(model: fb.ModelT) -> int:
    """Replace PRELU with per-channel ops XNNPACK's int8 path takes.

    With every alpha <= 1: ``prelu(x) = a*x + relu((1 - a)*x)`` (two 1x1 depthwise
    convolutions and an ADD). Otherwise ``prelu(x) = x + (1 - a) * relu(-x)``
    (negate with RELU, scale, ADD), which holds for any alpha.
    """
    sub = model.subgraphs[0]

    def build(op: fb.OperatorT) -> list[fb.OperatorT] | None:
        if g.op_name(model, op) != "PRELU":
            return None
        source, alpha_index = int(op.inputs[0]), int(op.inputs[1])
        alpha = g.constant(model, alpha_index)
        channels = g.shape_of(sub.tensors[source])[-1]
        if alpha is None or alpha.size != channels:
            raise ValueError(f"PRELU {_name(sub, source)}: only per-channel constant alpha can be rewritten")
        alpha = alpha.reshape(-1).astype(np.float32)
        zeros = np.zeros(channels, np.float32)
        name = _name(sub, int(op.outputs[0]))
        if float(alpha.max()) <= 1.0:
            linear, linear_out = g.depthwise_1x1(model, source, alpha, zeros, Act.NONE, f"{name}/linear")
            hinge, hinge_out = g.depthwise_1x1(model, source, 1 - alpha, zeros, Act.RELU, f"{name}/hinge")
            return [linear, hinge, _add(model, linear_out, hinge_out, int(op.outputs[0]))]
        negate, negated = g.depthwise_1x1(model, source, np.float32(-1), np.float32(0), Act.RELU, f"{name}/neg_relu")
        scale, scaled = g.depthwise_1x1(model, negated, 1 - alpha, zeros, Act.NONE, f"{name}/neg_scaled")
        return [negate, scale, _add(model, source, scaled, int(op.outputs[0]))]

    return _replace_ops(model, build)


def hard_swish(model: fb.ModelT) -> int:
    """Replace HARD_SWISH with (x / 6) * relu6(x + 3)."""
    sub = model.subgraphs[0]

    def build(op: fb.OperatorT) -> list[fb.OperatorT] | None:
        if g.op_name(model, op) != "HARD_SWISH":
            return None
        source = int(op.inputs[0])
        name = _name(sub, int(op.outputs[0]))
        gate, gated = g.depthwise_1x1(model, source, np.float32(1), np.float32(3), Act.RELU6, f"{name}/gate")
        sixth, sixths = g.depthwise_1x1(model, source, np.float32(1 / 6), np.float32(0), Act.NONE, f"{name}/sixth")
        options = fb.MulOptionsT()
        options.fusedActivationFunction = Act.NONE
        mul = g.make_op(model, fb.BuiltinOperator.MUL, [sixths, gated], [int(op.outputs[0])],
                        fb.BuiltinOptions.MulOptions, options)
        return [gate, sixth, mul]

    return _replace_ops(model, build)


def global_average_pool(model: fb.ModelT) -> int:
    """Replace a whole-map AVERAGE_POOL_2D with MEAN over axes 1, 2 (keep dims)."""
    sub = model.subgraphs[0]

    def build(op: fb.OperatorT) -> list[fb.OperatorT] | None:
        if g.op_name(model, op) != "AVERAGE_POOL_2D":
            return None
        source = int(op.inputs[0])
        _, height, width, _ = g.shape_of(sub.tensors[source])
        opts = op.builtinOptions
        whole = (opts.filterHeight, opts.filterWidth) == (height, width) and opts.padding == fb.Padding.VALID
        if not whole or opts.fusedActivationFunction != Act.NONE:
            return None
        axes = g.add_tensor(model, f"{_name(sub, int(op.outputs[0]))}/axes", (2,), np.int32,
                            np.array([1, 2], np.int32))
        options = fb.ReducerOptionsT()
        options.keepDims = True
        return [g.make_op(model, fb.BuiltinOperator.MEAN, [source, axes], [int(op.outputs[0])],
                          fb.BuiltinOptions.ReducerOptions, options)]

    return _replace_ops(model, build)


def depth_to_space_upsample(model: fb.ModelT) -> int:
    """Replace a TRANSPOSE_CONV whose kernel equals its stride with CONV_2D 1x1 + DEPTH_TO_SPACE.

    With kernel == stride the output blocks do not overlap: each input pixel writes
    one stride x stride block, i.e. a 1x1 convolution to block * out_channels
    channels rearranged by DEPTH_TO_SPACE. XNNPACK's int8 TRANSPOSE_CONV is slow
    (it was most of the int8 segmentation time); this form is a plain int8 GEMM.
    """
    sub = model.subgraphs[0]

    def build(op: fb.OperatorT) -> list[fb.OperatorT] | None:
        if g.op_name(model, op) != "TRANSPOSE_CONV" or len(op.inputs) < 4 or op.inputs[3] < 0:
            return None
        weights, bias = g.constant(model, int(op.inputs[1])), g.constant(model, int(op.inputs[3]))
        options = op.builtinOptions
        out_channels, kh, kw, in_channels = weights.shape
        if (kh, kw) != (options.strideH, options.strideW) or kh != kw or weights is None or bias is None:
            return None
        block = kh
        source, out = int(op.inputs[2]), int(op.outputs[0])
        _, height, width, _ = g.shape_of(sub.tensors[source])
        # DEPTH_TO_SPACE takes channel (dy * block + dx) * out_channels + c to pixel offset (dy, dx), channel c.
        conv_w = weights.transpose(1, 2, 0, 3).reshape(block * block * out_channels, 1, 1, in_channels)
        conv_b = np.tile(bias, block * block)
        name = _name(sub, out)
        w = g.add_tensor(model, f"{name}/s2d_w", conv_w.shape, np.float32, conv_w)
        b = g.add_tensor(model, f"{name}/s2d_b", conv_b.shape, np.float32, conv_b)
        mid = g.add_tensor(model, f"{name}/s2d", (1, height, width, block * block * out_channels))
        conv_options = fb.Conv2DOptionsT()
        conv_options.padding = fb.Padding.VALID
        conv_options.strideW = conv_options.strideH = 1
        conv_options.dilationWFactor = conv_options.dilationHFactor = 1
        conv_options.fusedActivationFunction = options.fusedActivationFunction
        conv = g.make_op(model, fb.BuiltinOperator.CONV_2D, [source, w, b], [mid],
                         fb.BuiltinOptions.Conv2DOptions, conv_options)
        d2s_options = fb.DepthToSpaceOptionsT()
        d2s_options.blockSize = block
        d2s = g.make_op(model, fb.BuiltinOperator.DEPTH_TO_SPACE, [mid], [out],
                        fb.BuiltinOptions.DepthToSpaceOptions, d2s_options)
        return [conv, d2s]

    return _replace_ops(model, build)


def fold_pads(model: fb.ModelT) -> int:
    """Fold a symmetric zero PAD into the stride-1 VALID convolution that alone reads it (as SAME padding)."""
    sub = model.subgraphs[0]
    readers = g.consumers(sub)
    drop: set[int] = set()
    for i, op in enumerate(sub.operators):
        if g.op_name(model, op) != "PAD" or len(op.inputs) != 2:  # PADV2 has a pad value
            continue
        padded = int(op.outputs[0])
        users = readers.get(padded, [])
        pads = g.constant(model, int(op.inputs[1]))
        if len(users) != 1 or g.is_graph_output(sub, padded) or pads is None or pads.shape != (4, 2):
            continue
        conv = sub.operators[users[0]]
        options = conv.builtinOptions
        if g.op_name(model, conv) not in ("CONV_2D", "DEPTHWISE_CONV_2D") or options.padding != fb.Padding.VALID:
            continue
        if (options.strideH, options.strideW, options.dilationHFactor, options.dilationWFactor) != (1, 1, 1, 1):
            continue
        _, kh, kw, _ = g.shape_of(sub.tensors[int(conv.inputs[1])])
        if kh % 2 == 0 or kw % 2 == 0 or pads.tolist() != [[0, 0], [kh // 2, kh // 2], [kw // 2, kw // 2], [0, 0]]:
            continue
        conv.inputs[0] = op.inputs[0]
        options.padding = fb.Padding.SAME
        drop.add(i)
    sub.operators = [op for i, op in enumerate(sub.operators) if i not in drop]
    if drop:
        g.compact(model)
    return len(drop)


PASSES: dict[str, Callable[[fb.ModelT], int]] = {
    "transpose_conv": transpose_conv,
    "depth_to_space_upsample": depth_to_space_upsample,
    "fuse_activations": fuse_activations,
    "prelu": prelu,
    "hard_swish": hard_swish,
    "global_average_pool": global_average_pool,
}


def _replace_ops(model: fb.ModelT, build: Callable[[fb.OperatorT], list[fb.OperatorT] | None]) -> int:
    """Swap each op for ``build(op)`` (None keeps it), in place and in order; return the count."""
    sub = model.subgraphs[0]
    result: list[fb.OperatorT] = []
    changed = 0
    for op in list(sub.operators):
        replacement = build(op)
        if replacement is None:
            result.append(op)
        else:
            result.extend(replacement)
            changed += 1
    sub.operators = result
    g.compact(model)
    return changed


def _add(model: fb.ModelT, left: int, right: int, output: int) -> fb.OperatorT:
    options = fb.AddOptionsT()
    options.fusedActivationFunction = Act.NONE
    return g.make_op(model, fb.BuiltinOperator.ADD, [left, right], [output], fb.BuiltinOptions.AddOptions, options)


def _name(sub: fb.SubGraphT, tensor: int) -> str:
    return bytes(sub.tensors[tensor].name).decode()
