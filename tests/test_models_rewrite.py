"""Each rewrite pass on a tiny float model built with the flatbuffer schema: same outputs, target ops only."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as fb
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tests.tiny_models import TinyModel
from tools.modelfactory import equivalence, fold, rewrite
from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner

Op = fb.BuiltinOperator


def _ops(content: bytes) -> list[str]:
    model = g.load(content)
    return [g.op_name(model, op) for op in model.subgraphs[0].operators]


def _apply(content: bytes, name: str) -> tuple[bytes, int]:
    model = g.load(content)
    count = rewrite.PASSES[name](model)
    return g.save(model), count


def _max_diff(before: bytes, after: bytes, inputs: list[np.ndarray]) -> float:
    old, new = Runner(before), Runner(after)
    return max(float(np.abs(a - b).max()) for x in inputs for a, b in zip(old(x), new(x), strict=True))


def test_fold_dequantize_turns_fp16_weights_into_fp32_constants() -> None:
    tiny = TinyModel((1, 8, 8, 3))
    out = tiny.conv(tiny.input, 4, fp16=True)
    original = tiny.finish(out)
    model = g.load(original)
    assert fold.fold_dequantize(model) == 2
    fold.add_signature(model, ["image"], ["features"])
    folded = g.save(model)
    assert "DEQUANTIZE" not in _ops(folded)
    assert Runner(folded).interpreter.get_signature_list() == {
        "serving_default": {"inputs": ["image"], "outputs": ["features"]}}
    assert _max_diff(original, folded, tiny.inputs()) == 0.0


@pytest.mark.parametrize("alpha_high", [0.9, 1.4], ids=["alphas<=1", "some-alpha>1"])
def test_prelu_becomes_depthwise_and_add(alpha_high: float) -> None:
    tiny = TinyModel((1, 6, 6, 5))
    features = tiny.conv(tiny.input, 5)
    alpha = tiny.const("alpha", np.linspace(-1.5, alpha_high, 5, dtype=np.float32).reshape(1, 1, 5))
    out = tiny.op(Op.PRELU, [features, alpha], tiny.shape(features))
    before = tiny.finish(out)
    after, count = _apply(before, "prelu")
    assert count == 1
    assert "PRELU" not in _ops(after)
    assert set(_ops(after)) == {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD"}
    assert _max_diff(before, after, tiny.inputs()) < 1e-5


def test_hard_swish_becomes_depthwise_and_mul() -> None:
    tiny = TinyModel((1, 6, 6, 4))
    out = tiny.unary(Op.HARD_SWISH, tiny.input)
    before = tiny.finish(out)
    after, count = _apply(before, "hard_swish")
    assert count == 1
    assert set(_ops(after)) == {"DEPTHWISE_CONV_2D", "MUL"}
    assert _max_diff(before, after, tiny.inputs(low=-8, high=8)) < 1e-5


def test_global_average_pool_becomes_mean() -> None:
    tiny = TinyModel((1, 7, 5, 3))
    options = fb.Pool2DOptionsT()
    options.padding = fb.Padding.VALID
    options.strideW, options.strideH, options.filterWidth, options.filterHeight = 5, 7, 5, 7
    out = tiny.op(Op.AVERAGE_POOL_2D, [tiny.input], (1, 1, 1, 3), fb.BuiltinOptions.Pool2DOptions, options)
    before = tiny.finish(out)
    after, count = _apply(before, "global_average_pool")
    assert count == 1
    assert _ops(after) == ["MEAN"]
    assert _max_diff(before, after, tiny.inputs()) < 1e-5


def test_local_average_pool_is_left_alone() -> None:
    tiny = TinyModel((1, 8, 8, 3))
    options = fb.Pool2DOptionsT()
    options.padding = fb.Padding.VALID
    options.strideW = options.strideH = options.filterWidth = options.filterHeight = 2
    out = tiny.op(Op.AVERAGE_POOL_2D, [tiny.input], (1, 4, 4, 3), fb.BuiltinOptions.Pool2DOptions, options)
    _, count = _apply(tiny.finish(out), "global_average_pool")
    assert count == 0


def test_relu_after_add_is_fused_but_not_when_shared() -> None:
    tiny = TinyModel((1, 4, 4, 2))
    summed = tiny.add(tiny.input, tiny.input)
    fused = tiny.unary(Op.RELU, summed)
    shared = tiny.add(fused, fused)
    kept = tiny.unary(Op.RELU6, shared)
    also = tiny.add(shared, kept)  # `shared` has two readers: its RELU6 must stay
    before = tiny.finish(also)
    after, count = _apply(before, "fuse_activations")
    assert count == 1
    assert _ops(after).count("RELU") == 0 and _ops(after).count("RELU6") == 1
    assert _max_diff(before, after, tiny.inputs()) == 0.0


def _custom_transpose_conv(stride: int, kernel: int) -> tuple[TinyModel, bytes, np.ndarray, np.ndarray]:
    tiny = TinyModel((1, 5, 6, 4))
    weights = tiny.rng.normal(0, 0.5, (3, kernel, kernel, 4)).astype(np.float32)
    bias = tiny.rng.normal(0, 0.1, 3).astype(np.float32)
    w, b = tiny.const("kernel", weights), tiny.const("bias", bias)
    options = struct.pack("<3i", 1, stride, stride)  # TfLiteTransposeConvParams: SAME, stride_w, stride_h
    out = tiny.custom("Convolution2DTransposeBias", [tiny.input, w, b], (1, 5 * stride, 6 * stride, 3), options)
    return tiny, tiny.finish(out), weights, bias


@pytest.mark.parametrize(("stride", "kernel"), [(2, 2), (2, 4)])
def test_custom_transpose_conv_becomes_builtin_matching_reference(stride: int, kernel: int) -> None:
    tiny, before, weights, bias = _custom_transpose_conv(stride, kernel)
    with pytest.raises(RuntimeError, match="Convolution2DTransposeBias"):  # builtin kernels cannot run it
        Interpreter(model_content=before,
                    experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES).allocate_tensors()
    after, count = _apply(before, "transpose_conv")
    assert count == 1
    assert _ops(after) == ["TRANSPOSE_CONV"]
    runner = Runner(after)
    for x in tiny.inputs():
        (got,) = runner(x)
        expected = equivalence.transpose_conv_reference(x, weights, bias, stride, stride, got.shape)
        assert np.abs(got - expected).max() < 1e-5


def test_transpose_conv_with_kernel_equal_stride_becomes_conv_and_depth_to_space() -> None:
    tiny, custom, _, _ = _custom_transpose_conv(2, 2)
    builtin, _ = _apply(custom, "transpose_conv")
    after, count = _apply(builtin, "depth_to_space_upsample")
    assert count == 1
    assert _ops(after) == ["CONV_2D", "DEPTH_TO_SPACE"]
    assert _max_diff(builtin, after, tiny.inputs()) < 1e-5


def test_overlapping_transpose_conv_is_left_as_is() -> None:
    _, custom, _, _ = _custom_transpose_conv(2, 4)
    builtin, _ = _apply(custom, "transpose_conv")
    _, count = _apply(builtin, "depth_to_space_upsample")
    assert count == 0


def test_equivalence_check_catches_a_wrong_rewrite() -> None:
    tiny = TinyModel((1, 4, 4, 3))
    before = tiny.finish(tiny.unary(Op.RELU, tiny.input))
    model = g.load(before)
    model.subgraphs[0].operators[0].opcodeIndex = g.opcode_index(model, Op.RELU6)
    with pytest.raises(equivalence.EquivalenceError):
        equivalence.compare("broken", before, g.save(model), tiny.inputs(low=-10, high=10))


def test_fold_pads_gives_the_same_int8_outputs_and_leaves_other_pads() -> None:
    """The full-range detector's zero PADs before stride-1 3x3 convolutions fold into SAME padding, exactly."""
    import numpy as np

    from magicbooth.inference.loader import MODELS_DIR
    from tools.modelfactory import graph as g
    from tools.modelfactory import rewrite
    from tools.modelfactory.runner import Runner

    reference = (MODELS_DIR / "face_detection_full_range_float.tflite").read_bytes()
    model = g.load(reference)
    assert rewrite.fold_pads(model) == 36  # the 7 before stride-2 convolutions pad (1, 1), not SAME's (0, 1): kept
    folded = g.save(model)
    assert sum(g.op_name(model, op) == "PAD" for op in model.subgraphs[0].operators) == 7
    x = np.random.default_rng(5).uniform(-1, 1, Runner(reference).input_shape).astype(np.float32)
    for a, b in zip(Runner(reference)(x), Runner(folded)(x), strict=True):
        assert np.allclose(a, b, rtol=1e-5, atol=1e-4)
    shipped = g.load((MODELS_DIR / "face_detection_full_range_int8.tflite").read_bytes())
    assert rewrite.fold_pads(shipped) == 0  # nothing left to fold in what ships
    detector = g.load((MODELS_DIR / "face_detection_short_range_float.tflite").read_bytes())
    assert rewrite.fold_pads(detector) == 0  # channel padding for residual ADDs is not a convolution's padding
