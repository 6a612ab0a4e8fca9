"""Float islands: chosen ops stay float32 inside an otherwise int8 graph that XNNPACK runs as one partition."""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from tiny_models import TinyModel

from tools.modelfactory import graph as g
from tools.modelfactory import islands, ranges
from tools.modelfactory.runner import Runner
from tools.modelfactory.specs import ModelSpec

Op = fb.BuiltinOperator


def _conv_prelu_conv() -> tuple[TinyModel, bytes]:
    tiny = TinyModel((1, 8, 8, 3))
    features = tiny.conv(tiny.input, 8)
    alpha = tiny.const("alpha", np.linspace(-0.5, 1.3, 8, dtype=np.float32).reshape(1, 1, 8))
    activated = tiny.op(Op.PRELU, [features, alpha], tiny.shape(features), name="prelu")
    return tiny, tiny.finish(tiny.conv(activated, 4))


def test_prelu_island_is_float_between_int8_convolutions_in_one_partition() -> None:
    tiny, float_model = _conv_prelu_conv()
    samples = tiny.inputs(16, low=-1, high=1)
    calibrated = ranges.calibrate(float_model, samples)
    names = islands.outputs_of(calibrated, ("PRELU",))
    assert len(names) == 1
    mixed = islands.quantize(calibrated, names, np.int8)

    model = g.load(mixed)
    sub = model.subgraphs[0]
    kinds = [g.op_name(model, op) for op in sub.operators]
    assert kinds.count("PRELU") == 1 and "QUANTIZE" in kinds and "DEQUANTIZE" in kinds
    output_type = {g.op_name(model, op): g.TYPE_NAMES[sub.tensors[int(op.outputs[0])].type]
                   for op in sub.operators}
    assert output_type["PRELU"] == "FLOAT32" and output_type["CONV_2D"] == "INT8"
    candidate, reference = Runner(mixed), Runner(float_model)
    assert candidate.delegation.partitions == 1 and candidate.delegation.undelegated == ()
    for x in samples[:4]:
        (want,), (got,) = reference(x), candidate(x)
        assert np.abs(got - want).max() < 0.05 * np.abs(want).max()


def _squeeze_excite() -> tuple[TinyModel, bytes]:
    """conv -> MEAN -> conv(relu) -> conv -> sigmoid -> gate the conv's features: a squeeze-and-excite block."""
    tiny = TinyModel((1, 8, 8, 3))
    features = tiny.conv(tiny.input, 8)
    options = fb.ReducerOptionsT()
    options.keepDims = True
    axes = tiny.const("axes", np.array([1, 2], np.int32))
    squeezed = tiny.op(Op.MEAN, [features, axes], (1, 1, 1, 8), fb.BuiltinOptions.ReducerOptions, options, "mean")
    excited = tiny.conv(tiny.conv(squeezed, 4, kernel=1, activation=fb.ActivationFunctionType.RELU), 8, kernel=1)
    gate = tiny.unary(Op.LOGISTIC, excited)
    gated = tiny.op(Op.MUL, [features, gate], tiny.shape(features), fb.BuiltinOptions.MulOptions, fb.MulOptionsT(),
                    "mul")
    return tiny, tiny.finish(tiny.conv(gated, 4))


def test_squeeze_branch_is_float_while_the_feature_maps_stay_int8() -> None:
    tiny, float_model = _squeeze_excite()
    samples = tiny.inputs(16, low=-1, high=1)
    calibrated = ranges.calibrate(float_model, samples)
    spec = ModelSpec(name="tiny", member="", task="segmentation", size=(8, 8), value_range=(-1.0, 1.0),
                     inputs=("input",), outputs=(("out", ""),), int8_io=False, float_squeeze=True)
    names = islands.for_spec(calibrated, spec)
    model = g.load(calibrated)
    sub = model.subgraphs[0]
    kinds = {bytes(sub.tensors[int(op.outputs[0])].name).decode(): g.op_name(model, op) for op in sub.operators}
    assert sorted(kinds[n] for n in names) == ["CONV_2D", "CONV_2D", "LOGISTIC"]  # not the MEAN, not the MUL
    mixed = islands.quantize(calibrated, names)

    assert set(islands.float_ops(mixed)) == set(names)
    out_type = {g.op_name(g.load(mixed), op): g.TYPE_NAMES[g.load(mixed).subgraphs[0].tensors[int(op.outputs[0])].type]
                for op in g.load(mixed).subgraphs[0].operators}
    assert out_type["MEAN"] == out_type["MUL"] == "INT8"
    candidate, reference = Runner(mixed), Runner(float_model)
    assert candidate.delegation.partitions == 1 and candidate.delegation.undelegated == ()
    for x in samples[:4]:
        (want,), (got,) = reference(x), candidate(x)
        assert np.abs(got - want).max() < 0.05 * np.abs(want).max()
