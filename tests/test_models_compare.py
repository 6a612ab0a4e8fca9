"""The rebuild comparison that stands in for byte identity outside the recorded build environment."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from magicbooth.inference.loader import MODELS_DIR
from tools.modelfactory import compare, manifest
from tools.modelfactory import graph as g

DETECTOR = MODELS_DIR / "face_detection_short_range_int8.tflite"


def _edited(edit) -> bytes:
    model = g.load(DETECTOR.read_bytes())
    edit(model, model.subgraphs[0])
    return g.save(model)


def _tensor(sub, name: str) -> int:
    return next(i for i, t in enumerate(sub.tensors) if bytes(t.name).decode() == name)


def test_the_shipped_model_is_identical_to_itself() -> None:
    diff = compare.differences(DETECTOR.read_bytes(), DETECTOR.read_bytes())
    assert diff.identical and diff.within_tolerance and diff.describe() == "identical"


def test_a_last_bit_scale_change_is_within_tolerance_and_reported() -> None:
    def nudge(model, sub):
        sub.tensors[_tensor(sub, "activation_7")].quantization.scale *= np.float32(1 + 7e-6)

    diff = compare.differences(_edited(nudge), DETECTOR.read_bytes())
    assert not diff.identical and diff.within_tolerance
    assert diff.changed == ["activation_7"] and 5e-6 < diff.worst_scale < 1e-5
    assert "activation_7" in diff.describe()


def test_a_scale_far_off_is_outside_tolerance() -> None:
    def widen(model, sub):
        sub.tensors[_tensor(sub, "activation_7")].quantization.scale *= np.float32(1.2)

    diff = compare.differences(_edited(widen), DETECTOR.read_bytes())
    assert not diff.within_tolerance and diff.worst_scale == pytest.approx(0.2, rel=1e-3)


def test_a_changed_weight_is_outside_tolerance() -> None:
    def bump(model, sub):
        index = next(i for i, t in enumerate(sub.tensors) if t.type == 9 and g.constant(model, i) is not None
                     and g.constant(model, i).size > 100)
        weights = g.constant(model, index).copy()
        weights.reshape(-1)[0] = np.clip(int(weights.reshape(-1)[0]) + 20, -127, 127)
        model.buffers[sub.tensors[index].buffer].data = np.frombuffer(weights.tobytes(), np.uint8).copy()

    diff = compare.differences(_edited(bump), DETECTOR.read_bytes())
    assert not diff.within_tolerance and diff.worst_steps == pytest.approx(20)


def test_another_graph_is_a_structural_difference() -> None:
    other = (MODELS_DIR / "selfie_segmentation_int8.tflite").read_bytes()
    diff = compare.differences(other, DETECTOR.read_bytes())
    assert diff.structure and not diff.within_tolerance and diff.describe().startswith("different graph")


def test_a_changed_op_option_is_a_structural_difference() -> None:
    def restride(model, sub):
        op = next(o for o in sub.operators if g.op_name(model, o) == "DEPTHWISE_CONV_2D")
        op.builtinOptions.strideW += 1

    diff = compare.differences(_edited(restride), DETECTOR.read_bytes())
    assert diff.structure and not diff.within_tolerance


def test_this_environment_is_compared_with_the_recorded_one() -> None:
    recorded = tomllib.loads((MODELS_DIR / "manifest.toml").read_text(encoding="utf-8"))["build"]
    assert set(recorded) == set(manifest.build_info())
    moved = dict(recorded, opencv="0.0.1")
    assert any(line.startswith("opencv ") and "0.0.1" in line for line in manifest.environment_differences(moved))
    assert manifest.environment_differences(dict(manifest.build_info())) == []


@pytest.mark.parametrize(("flags", "expected"), [
    ("fpu sse2 avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl amx_int8", "x86_64 AVX-512"),
    ("fpu sse2 avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni", "x86_64 AVX-512"),
    ("fpu sse2 avx avx2 fma", "x86_64 AVX2"),
    ("fpu sse2 avx", "x86_64"),
])
def test_float_kernel_class_from_cpu_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: str,
                                           expected: str) -> None:
    monkeypatch.setattr(manifest.platform, "machine", lambda: "x86_64")
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    assert manifest.float_kernels(cpuinfo) == expected


def test_float_kernel_class_elsewhere_is_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest.platform, "machine", lambda: "aarch64")
    assert manifest.float_kernels() == "aarch64"
