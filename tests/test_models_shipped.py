"""The committed models: hashes match the manifest, int8 really is int8, one XNNPACK partition each."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import numpy as np
import pytest

from magicbooth.inference.loader import MODELS_DIR, load_model, read_manifest
from tools.modelfactory import graph as g

MANIFEST = tomllib.loads((MODELS_DIR / "manifest.toml").read_text(encoding="utf-8"))
NAMES = sorted(MANIFEST["models"])
GRAPHS = [(name, key) for name in NAMES for key in MANIFEST["models"][name] if key.startswith("int8")]  # int8 files


def test_every_model_of_the_factory_is_shipped() -> None:
    assert NAMES == ["face_detection_full_range", "face_detection_short_range", "face_landmark", "hand_landmark_lite",
                     "palm_detection_lite", "selfie_segmentation", "selfie_segmentation_landscape"]


@pytest.mark.parametrize(("name", "variant"), [(n, k) for n in NAMES for k in MANIFEST["models"][n]
                                               if k == "float" or k.startswith("int8")])
def test_sha256_matches_manifest(name: str, variant: str) -> None:
    entry = MANIFEST["models"][name][variant]
    assert hashlib.sha256((MODELS_DIR / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("name", NAMES)
def test_manifest_records_source_license_and_contract(name: str) -> None:
    model = MANIFEST["models"][name]
    assert model["source"]["wheel"].startswith("mediapipe-0.10.14-")
    assert model["source"]["path"].startswith("mediapipe/modules/")
    assert len(model["source"]["sha256"]) == 64
    assert model["license"] == "Apache-2.0"
    assert model["input"]["layout"] == "NHWC" and len(model["input"]["range"]) == 2
    assert model["outputs"]


def _int8_facts(path: Path) -> tuple[set[str], list[bool]]:
    """Tensor types present; per conv weight tensor, whether it has one scale per output channel."""
    model = g.load(path.read_bytes())
    sub = model.subgraphs[0]
    types = {g.TYPE_NAMES[t.type] for t in sub.tensors}
    per_channel = []
    for op in sub.operators:
        if g.op_name(model, op) in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            weights = sub.tensors[int(op.inputs[1])]
            if g.TYPE_NAMES[weights.type] == "INT8":
                quant = weights.quantization
                channels = int(weights.shape[quant.quantizedDimension])
                per_channel.append(len(quant.scale) == channels)
    return types, per_channel


@pytest.mark.parametrize(("name", "key"), GRAPHS)
def test_int8_model_is_signed_int8_with_per_channel_weights(name: str, key: str) -> None:
    types, per_channel = _int8_facts(MODELS_DIR / MANIFEST["models"][name][key]["file"])
    assert "INT8" in types
    assert "UINT8" not in types
    assert per_channel and all(per_channel)


@pytest.mark.parametrize(("name", "key"), GRAPHS)
def test_int8_model_runs_as_one_xnnpack_partition(name: str, key: str) -> None:
    model = load_model(name, threads=1, variant=key)
    assert model.delegation.partitions == 1
    assert model.delegation.undelegated == ()
    outputs = model.invoke(np.zeros(model.input_shape, np.float32))
    assert list(outputs) == list(MANIFEST["models"][name]["outputs"])
    assert all(np.isfinite(v).all() for v in outputs.values())


def test_read_manifest_gives_both_variants() -> None:
    entries = read_manifest()
    assert {(n, v) for n in NAMES for v in ("int8", "float")} <= set(entries)


def _count_kind(content: bytes, kind: str) -> int:
    model = g.load(content)
    return sum(g.op_name(model, op) == kind for op in model.subgraphs[0].operators)


@pytest.mark.parametrize(("name", "key"), GRAPHS)
def test_only_the_chosen_float_ops_compute_in_float(name: str, key: str) -> None:
    """Each graph keeps float exactly what variants.toml chose for its classes, or the spec's islands if unsearched."""
    from tools.modelfactory import islands, variants
    from tools.modelfactory.specs import SPECS

    spec = SPECS[name]
    part = MANIFEST["models"][name][key]
    content = (MODELS_DIR / part["file"]).read_bytes()
    chosen = variants.islands_for(spec, variants.load())
    mine = {chosen[cls] for cls in part["cpus"] if cls in chosen}
    assert len(mine) == 1, f"{key} serves classes with different islands: {part['cpus']}"
    picked = mine.pop()
    if picked.floats is not None:
        assert set(islands.float_ops(content)) == set(picked.floats)
        return
    actual, expected = set(islands.float_ops(content)), set(islands.for_spec(content, spec))
    float_file = (MODELS_DIR / MANIFEST["models"][name]["float"]["file"]).read_bytes()
    folded = _count_kind(float_file, "PAD") - _count_kind(content, "PAD")
    if folded:  # PADs folded into their convolutions after quantization (rewrite.fold_pads) are no longer there
        # to count, so the spec's stem and tail, counted on this graph, reach that many ops further
        assert actual <= expected and len(expected - actual) <= folded
    else:
        assert actual == expected
    if spec.float_head:  # the detector: 4 convolutions (2 box, 2 score), their 4 RESHAPEs, 2 CONCATENATIONs
        assert len(islands.head_of(content)) == 10
    if spec.float_squeeze:  # the segmenters: each squeeze-and-excite branch's two convolutions and sigmoid
        import dataclasses

        extra = set(islands.for_spec(content, spec)) - set(islands.for_spec(content, dataclasses.replace(
            spec, float_squeeze=False)))
        model = g.load(content)
        sub = model.subgraphs[0]
        kinds = [g.op_name(model, op) for op in sub.operators
                 if bytes(sub.tensors[int(op.outputs[0])].name).decode() in extra]
        assert kinds.count("LOGISTIC") >= 5 and set(kinds) == {"CONV_2D", "LOGISTIC"}


@pytest.mark.parametrize(("name", "key"), GRAPHS)
def test_figures_in_the_manifest_are_of_the_shipped_file(name: str, key: str) -> None:
    """ARM counts and tuning accuracy come from the search, for the very bytes shipped (or are left out)."""
    from tools.modelfactory import variants

    part = MANIFEST["models"][name][key]
    if "instructions" not in part:
        return
    chosen = variants.load()[name]
    measured = {chosen.classes[cls].sha256 for cls in part["cpus"] if cls in chosen.classes}
    assert part["sha256"] in measured
    assert set(part["instructions"]) == set(variants.COUNTED_ON.values())
