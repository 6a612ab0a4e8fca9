"""The island search: per-op costs add up to a graph's count, and the search keeps the floor at the least cost.

No emulator here: ``Costs`` is written by hand, or measured on a tiny model with a stand-in counter.
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from tiny_models import TinyModel

from tools.modelfactory import costs, islands, ranges, search, variants
from tools.modelfactory.costs import Costs, Op
from tools.modelfactory.specs import ModelSpec

Op_ = fb.BuiltinOperator


def _fork(int8: float = 4.0, forced: str = "") -> Costs:
    """Input 0 -> A -> 1; 1 -> B -> 2 and 1 -> C -> 3 (both outputs). Float ops cost 10, int8 ones ``int8``."""
    ops = [Op("A", "CONV_2D", (0,), (1,)), Op("B", "CONV_2D", (1,), (2,)), Op("C", "CONV_2D", (1,), (3,))]
    return Costs("test", ops, [10.0] * 3, [None if op.name == forced else int8 for op in ops],
                 quantize={t: 1.0 for t in range(4)}, dequantize={t: 2.0 for t in range(4)}, inputs=(0,),
                 outputs=(2, 3), invoke=0.0)


def test_each_reader_of_the_other_type_pays_its_own_border() -> None:
    c = _fork()
    assert c.predict([]) == 3 * 4 + 1 + 2 * 2  # quantize the input, dequantize both outputs
    assert c.predict(["A"]) == 10 + 2 * 4 + 2 * 1 + 2 * 2  # B and C each quantize A's float output
    assert c.predict(["A", "B", "C"]) == 30  # float throughout: no border at all


def test_an_op_without_int8_kernel_is_always_float() -> None:
    c = _fork(forced="B")
    assert c.forced == {"B"}
    assert c.predict([]) == c.predict(["B"]) == 10 + 4 + 4 + 1 + 2 + 2  # input; B dequantizes A's output; C's out
    assert "B" in search.search(c, lambda floats: {"m": 1.0}, [search.Goal("m", 0.5, True, 0.5)],
                                [("B", frozenset({"B"}))]).floats


def test_cheapest_keeps_int8_where_it_pays_and_float_where_it_does_not() -> None:
    assert costs.Costs.predict_mask(_fork(int8=4.0), search.cheapest(_fork(int8=4.0))) == 17
    expensive = _fork(int8=12.0)
    assert search.cheapest(expensive) == [True, True, True]


def test_repair_adds_what_restores_accuracy_and_prune_gives_back_what_does_not() -> None:
    calls: list[frozenset[str]] = []

    def gauge(floats: frozenset[str]) -> dict[str, float]:
        calls.append(floats)
        return {"iou": 0.95 if "B" in floats else 0.80}

    goals = [search.Goal("iou", 0.9, True, 0.95)]
    groups = [("A", frozenset({"A"})), ("B", frozenset({"B"})), ("C", frozenset({"C"})),
              ("A+B", frozenset({"A", "B"}))]
    found = search.search(_fork(), gauge, goals, groups, starts=[("everything", frozenset({"A", "B", "C"}))])
    assert found.met and found.floats == {"B"}
    assert found.predicted == _fork().predict(["B"])
    unreachable = search.search(_fork(), lambda floats: {"iou": 0.5}, goals, groups)
    assert not unreachable.met  # nothing helps: reported as missed, never passed off as met


def test_goal_floor_and_distance() -> None:
    goal = search.Goal("recall", 0.95, True, 1.0)
    assert goal.shortfall(0.95) == 0 and goal.shortfall(0.9) > 0
    assert goal.distance(0.9) > goal.distance(0.95) > goal.distance(1.0) == 0
    error = search.Goal("nme", 0.03, False, 0.03)
    assert error.shortfall(0.02) == 0 and error.shortfall(0.04) > 0 and error.shortfall(float("nan")) == 1.0


class _Lengths:
    """A stand-in counter: 'instructions' are the model's byte length, enough to check the bookkeeping."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def count(self, models: dict[str, bytes], cpu: str) -> dict[str, int | None]:
        self.seen += list(models)
        return {key: len(data) for key, data in models.items()}


def test_measure_cuts_every_op_and_border_and_finds_ops_without_int8_kernel() -> None:
    tiny = TinyModel((1, 8, 8, 3))
    features = tiny.conv(tiny.input, 8)
    alpha = tiny.const("alpha", np.linspace(-0.5, 1.3, 8, dtype=np.float32).reshape(1, 1, 8))
    activated = tiny.op(Op_.PRELU, [features, alpha], tiny.shape(features), name="prelu")
    float_model = tiny.finish(tiny.conv(activated, 4))
    calibrated = ranges.calibrate(float_model, tiny.inputs(8, low=-1, high=1))
    counter = _Lengths()
    measured = costs.measure(calibrated, float_model, counter, "cortex-a76")  # type: ignore[arg-type]
    assert [op.kind for op in measured.ops] == ["CONV_2D", "PRELU", "CONV_2D"]
    assert measured.forced == {measured.ops[1].name}  # XNNPACK's int8 path takes no PRELU
    assert {"float", "int8", "f0", "f1", "f2", "q0", "q2"} <= set(counter.seen)
    assert all(t in measured.quantize and t in measured.dequantize for op in measured.ops for t in op.reads)
    spec = ModelSpec(name="tiny", member="", task="segmentation", size=(8, 8), value_range=(-1.0, 1.0),
                     inputs=("input",), outputs=(("out", ""),), int8_io=False)
    assert islands.for_spec(calibrated, spec) == []  # the spec asks for nothing; the PRELU is float regardless


def test_variants_file_round_trips_and_new_specs_get_their_hand_islands(tmp_path) -> None:
    islands_ = variants.Islands((), ("conv1", "conv2"), "2 of 9 ops")
    chosen = {"tiny": variants.ModelVariants(
        {"arm": variants.Variant(islands_, {"cortex-a72": 10}, {"iou": 0.9}, "ab" * 32),
         "arm_dotprod": variants.Variant(variants.Islands((), (), "no ops"), {"cortex-a76": 5}, {}, "cd" * 32)},
        {"cortex-a72": 11, "cortex-a76": 12}, "arm_dotprod", {"arm": 1.0, "arm_dotprod": 0.9})}
    path = tmp_path / "variants.toml"
    variants.write(chosen, path)
    assert variants.load(path) == chosen
    assert variants.load(tmp_path / "missing.toml") == {}
    spec = ModelSpec(name="other", member="", task="segmentation", size=(8, 8), value_range=(0.0, 1.0),
                     inputs=("input",), outputs=(("out", ""),), float_ops=("PRELU", "ADD"), float_stem=3)
    assert variants.islands_for(spec, chosen) == dict.fromkeys(variants.CLASSES, variants.Islands(("PRELU",)))
    assert variants.variant_key("arm") == "int8" and variants.variant_key("arm_dotprod") == "int8_dotprod"


def test_one_graph_per_distinct_choice_and_x86_joins_the_faster() -> None:
    from tools.modelfactory import pipeline
    from tools.modelfactory.specs import SPECS

    spec = SPECS["face_detection_short_range"]
    same = variants.Islands((), ("a",), "1 op")
    other = variants.Islands((), ("a", "b"), "2 ops")
    one = {spec.name: variants.ModelVariants({"arm": variants.Variant(same), "arm_dotprod": variants.Variant(same)})}
    assert pipeline.graphs_for(spec, one) == {"int8": (("arm", "arm_dotprod", "x86_64"), same)}
    two = {spec.name: variants.ModelVariants({"arm": variants.Variant(other), "arm_dotprod": variants.Variant(same)},
                                             x86_64="arm_dotprod")}
    assert pipeline.graphs_for(spec, two) == {"int8": (("arm",), other),
                                              "int8_dotprod": (("arm_dotprod", "x86_64"), same)}
    unsearched = pipeline.graphs_for(spec, {})  # a new spec: its own islands, one graph for every class
    assert unsearched == {"int8": (("arm", "arm_dotprod", "x86_64"), variants.hand_islands(spec))}
