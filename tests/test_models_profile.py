"""The per-op-kind profile: each op cut out alone computes what it computes inside the graph."""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from tiny_models import TinyModel

from tools.modelfactory import graph as g
from tools.modelfactory import profile, quantize, ranges
from tools.modelfactory.runner import Runner

Op = fb.BuiltinOperator


def _conv_add_conv() -> tuple[TinyModel, bytes]:
    tiny = TinyModel((1, 8, 8, 4))
    features = tiny.conv(tiny.input, 4, activation=fb.ActivationFunctionType.RELU)
    return tiny, tiny.finish(tiny.conv(tiny.add(features, tiny.input), 3))


def test_one_op_model_is_that_op_alone() -> None:
    tiny, content = _conv_add_conv()
    sample = tiny.inputs(1)[0]
    first = Runner(profile._one_op(g.load(content), 0))(sample)[0]
    assert first.shape == (1, 8, 8, 4) and np.allclose(first, np.maximum(first, 0))  # the ReLU conv, no more
    last = g.load(profile._one_op(g.load(content), 2))
    assert [g.op_name(last, op) for op in last.subgraphs[0].operators] == ["CONV_2D"]
    adder = g.load(profile._one_op(g.load(content), 1))
    assert len(adder.subgraphs[0].inputs) == 2  # both activations of the ADD become inputs
    assert np.allclose(Runner(g.save(last))(np.zeros((1, 8, 8, 4), np.float32))[0],
                       g.constant(g.load(content), int(g.load(content).subgraphs[0].operators[2].inputs[2])),
                       atol=1e-6)  # zero input: the bias alone, so the weights are the graph's own


def test_kinds_count_every_op_of_both_graphs() -> None:
    tiny, content = _conv_add_conv()
    samples = tiny.inputs(8, low=-1, high=1)
    int8 = quantize.full_int8(ranges.calibrate(content, samples), [1, 8, 8, 4], np.float32)
    rows = {row.kind: row for row in profile.kinds(content, int8, count=3)}
    assert (rows["CONV_2D"].float_ops, rows["CONV_2D"].int8_ops) == (2, 2)
    assert (rows["ADD"].float_ops, rows["ADD"].int8_ops) == (1, 1)
    assert rows["QUANTIZE"].float_ops == 0 and rows["QUANTIZE"].int8_ops >= 1  # float model I/O
    assert rows["QUANTIZE"].ratio is None
    assert all(row.int8_ms > 0 for row in rows.values() if row.int8_ops)
    assert all(row.float_ms > 0 for row in rows.values() if row.float_ops)
