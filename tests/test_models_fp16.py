"""The fp16 hint on the int8 graphs, and the recount that re-picks each class's graph after such a change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from magicbooth.inference.loader import MODELS_DIR, read_manifest
from tools.modelfactory import choose, fp16, pipeline, variants
from tools.modelfactory.runner import Runner


def _x86_has_fp16_arithmetic() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return True  # unknown: do not claim the outputs must match
    return "avx512_fp16" in flags.split() or "asimdhp" in flags.split()


@pytest.mark.parametrize(("name", "key"), [(n, k) for (n, k) in read_manifest() if k.startswith("int8")])
def test_every_shipped_int8_graph_carries_the_hint_unless_its_model_loses_accuracy_with_it(name: str,
                                                                                          key: str) -> None:
    entry = read_manifest()[(name, key)]
    assert fp16.has_hint((MODELS_DIR / entry.file).read_bytes()) == fp16.wanted(name)


def test_floats_ship_without_it() -> None:
    entry = read_manifest()[("face_detection_short_range", "float")]
    assert not fp16.has_hint((MODELS_DIR / entry.file).read_bytes())


@pytest.mark.skipif(_x86_has_fp16_arithmetic(), reason="this CPU has fp16 arithmetic: the hint may change outputs")
def test_a_cpu_without_fp16_arithmetic_ignores_the_hint() -> None:
    """The x86 graphs and the tuning figures measured here stay what they were."""
    entry = read_manifest()[("face_landmark", "int8")]
    hinted = (MODELS_DIR / entry.file).read_bytes()
    plain = _without_hint(hinted)
    assert not fp16.has_hint(plain)
    x = np.random.default_rng(3).uniform(0, 1, Runner(plain).input_shape).astype(np.float32)
    for a, b in zip(Runner(hinted)(x), Runner(plain)(x), strict=True):
        assert np.array_equal(a, b)


def test_hinting_twice_keeps_one_entry() -> None:
    entry = read_manifest()[("face_landmark", "int8")]
    twice = fp16.hinted((MODELS_DIR / entry.file).read_bytes())
    from tools.modelfactory import graph as g

    names = [bytes(m.name) for m in g.load(twice).metadata]
    assert names.count(fp16.KEY) == 1


def _without_hint(content: bytes) -> bytes:
    from tools.modelfactory import graph as g

    model = g.load(content)
    model.metadata = [m for m in model.metadata or [] if bytes(m.name) != fp16.KEY]
    g.compact(model)
    return g.save(model)


class _Counts:
    """A stand-in counter: fixed counts per graph bytes and core."""

    def __init__(self, table: dict[tuple[bytes, str], int]) -> None:
        self.table = table

    def count(self, models: dict[str, bytes], cpu: str) -> dict[str, int | None]:
        return {key: self.table[(data, cpu)] for key, data in models.items()}


def _variant(floats: tuple[str, ...], tuning: float) -> variants.Variant:
    return variants.Variant(variants.Islands((), floats, f"{len(floats)} ops"), {"cortex-a72": 1, "cortex-a76": 1},
                            {"recall": tuning}, "old")


def test_recount_moves_a_class_to_a_cheaper_recorded_graph_and_keeps_its_figures() -> None:
    found = variants.ModelVariants({"arm": _variant(("a", "b"), 0.99), "arm_dotprod": _variant(("a",), 0.97)},
                                   {"cortex-a72": 100, "cortex-a76": 100}, "arm_dotprod",
                                   {"arm": 2.0, "arm_dotprod": 1.5})
    built = {"int8": pipeline.Built(("arm",), found.classes["arm"].islands, None, b"more-float"),  # type: ignore[arg-type]
             "int8_dotprod": pipeline.Built(("arm_dotprod", "x86_64"), found.classes["arm_dotprod"].islands,
                                            None, b"less-float")}  # type: ignore[arg-type]
    counter = _Counts({(b"more-float", "cortex-a72"): 90, (b"more-float", "cortex-a76"): 55,
                       (b"less-float", "cortex-a72"): 95, (b"less-float", "cortex-a76"): 60})
    moved = choose.recount(found, built, counter)  # type: ignore[arg-type]
    assert moved.classes["arm"].islands == moved.classes["arm_dotprod"].islands == found.classes["arm"].islands
    assert moved.classes["arm_dotprod"].instructions == {"cortex-a72": 90, "cortex-a76": 55}
    assert moved.classes["arm_dotprod"].tuning == {"recall": 0.99}  # the figures of the graph it now loads
    assert moved.x86_ms == {"arm": 2.0}  # the moved class's old x86 timing was of another graph
    counter.table[(b"less-float", "cortex-a76")] = 50  # cheaper on A76 again: the class keeps its own graph
    kept = choose.recount(found, built, counter)  # type: ignore[arg-type]
    assert kept.classes["arm_dotprod"].islands == found.classes["arm_dotprod"].islands
    assert kept.classes["arm_dotprod"].instructions["cortex-a76"] == 50


def test_a_never_searched_model_round_trips_as_its_spec_islands(tmp_path: Path) -> None:
    """Its counts are recorded, and its islands stay the spec's (None), not an empty list (which is all-int8)."""
    from tools.modelfactory.specs import SPECS

    found = choose.unsearched(SPECS["palm_detection_lite"])
    path = tmp_path / "variants.toml"
    variants.write({"palm_detection_lite": found}, path)
    back = variants.load(path)["palm_detection_lite"]
    assert all(v.islands.floats is None for v in back.classes.values())
    assert back.classes["arm"].islands.key == variants.hand_islands(SPECS["palm_detection_lite"]).key


def test_emulated_outputs_answer_by_input_and_convert_like_the_host(monkeypatch) -> None:
    """The emulated run's raw tensors come back as the host Runner's float outputs, looked up by input."""
    from tools.modelfactory import emulated

    content = (MODELS_DIR / read_manifest()[("hand_landmark_lite", "int8")].file).read_bytes()
    host = Runner(content)
    xs = [np.random.default_rng(k).uniform(0, 1, host.input_shape).astype(np.float32) for k in range(2)]

    def fake_run(counter, data, tensors, cpu):  # what the guest computes, here on the host
        outs = []
        for t in tensors:
            host.interpreter.set_tensor(host.interpreter.get_input_details()[0]["index"], t)
            host.interpreter.invoke()
            outs.append([host.interpreter.get_tensor(d["index"]).copy() for d in host.interpreter.get_output_details()])
        return [np.stack([o[k] for o in outs]) for k in range(len(outs[0]))]

    monkeypatch.setattr(emulated, "_run", fake_run)
    model = emulated.Emulated(None, content, xs, "cortex-a76")  # type: ignore[arg-type]
    for x in xs:
        for a, b in zip(model(x), Runner(content)(x), strict=True):
            assert np.array_equal(a, b)
    with pytest.raises(KeyError):
        model(xs[0] + 1)
