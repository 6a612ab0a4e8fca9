"""Float islands: chosen ops stay float32 inside an otherwise int8 graph that XNNPACK runs as one partition."""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from tiny_models import TinyModel

from tools.modelfactory import graph as g
from tools.modelfactory import islands, quantize, ranges
from tools.modelfactory.runner import Runner

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
    hidden, saved = islands.hide(calibrated, names)
    mixed = islands.restore(quantize.full_int8(hidden, [1, 8, 8, 3], np.int8, allow_float=True), saved)

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
