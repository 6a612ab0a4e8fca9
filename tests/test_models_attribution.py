"""Error attribution: logits clipped on purpose (a sigmoid flattens them) do not take the blame."""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from tiny_models import TinyModel

from tools.modelfactory import attribution, quantize, ranges
from tools.modelfactory import graph as g
from tools.modelfactory.specs import ModelSpec

SPEC = ModelSpec(name="tiny", member="", task="segmentation", size=(8, 8), value_range=(-4.0, 4.0),
                 inputs=("input",), outputs=(("mask", "probability"),), int8_io=False)


def test_capped_logits_are_measured_within_their_int8_range() -> None:
    tiny = TinyModel((1, 8, 8, 4))
    logits = tiny.conv(tiny.input, 1)
    model = g.load(tiny.finish(tiny.unary(fb.BuiltinOperator.LOGISTIC, logits)))
    weights = int(model.subgraphs[0].operators[0].inputs[1])
    g.set_constant(model, weights, g.constant(model, weights) * 20)  # logits far beyond the ±8 cap
    content = g.save(model)
    samples = tiny.inputs(16)
    capped, notes = ranges.cap_ranges(ranges.calibrate(content, samples), SPEC, content, samples)
    assert notes  # the logit range was cut to ±8
    logit_name = bytes(g.load(content).subgraphs[0].tensors[logits].name).decode()
    assert ranges.capped_names(capped, SPEC) == {logit_name}
    int8 = quantize.full_int8(capped, [1, 8, 8, 4], np.float32)

    blamed = {e.op: e for e in attribution.layer_errors(content, int8, samples[:4])}
    fair = {e.op: e for e in attribution.layer_errors(content, int8, samples[:4], {logit_name})}
    assert blamed["CONV_2D"].error > 0.5  # raw: the clipping dominates
    assert fair["CONV_2D"].error < 0.05  # within ±8: rounding only
    assert fair["LOGISTIC"].error == blamed["LOGISTIC"].error < 0.05  # after the sigmoid nothing is lost
