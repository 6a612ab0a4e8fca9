"""The factory's stages: float originals -> checked float rewrites -> calibrated int8 -> files + manifest."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.modelfactory import (
    datasets,
    equalize,
    equivalence,
    fold,
    handsets,
    islands,
    manifest,
    quantize,
    ranges,
    rewrite,
    source,
)
from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner
from tools.modelfactory.specs import SPECS, ModelSpec

REWRITE_ORDER = ("fuse_activations", "prelu", "hard_swish", "global_average_pool", "depth_to_space_upsample")
REWRITTEN_OP = {"prelu": "PRELU", "hard_swish": "HARD_SWISH"}  # passes a spec's float_ops switch off
CALIBRATION_SCENES = 160
CHECK_SAMPLES = 6
# Calibration scenes need the float detector (landmark crops) and segmenter (cut-outs).
SCENE_MODELS = ("face_detection_short_range", "selfie_segmentation")


@dataclass
class FloatBuild:
    """A model's float stages, kept so each step can be checked once real inputs exist."""

    spec: ModelSpec
    original: source.Original
    reference: bytes = b""  # shipped float reference
    rewritten: bytes = b""  # after the op rewrites
    quantizable: bytes = b""  # after cross-layer equalization: what gets calibrated and quantized
    steps: list[tuple[str, bytes, bytes]] = field(default_factory=list)  # (pass, before, after)
    reference_model: object = None  # ModelT after the transpose-conv step, for the custom-op check
    passes: dict[str, int] = field(default_factory=dict)
    checks: list[equivalence.Check] = field(default_factory=list)
    range_notes: list[str] = field(default_factory=list)


def build_float(spec: ModelSpec, original: source.Original) -> FloatBuild:
    """Fold, sign and rewrite one original; remember every step for the equivalence checks."""
    build = FloatBuild(spec, original)
    model = g.load(original.data)
    densified = fold.fold_densify(model)
    build.passes["fold_dequantize"] = fold.fold_dequantize(model)
    if densified:  # only the sparse full-range detector has any; other manifests keep their keys
        build.passes["fold_densify"] = densified
    fold.add_signature(model, list(spec.inputs), [name for name, _ in spec.outputs])
    build.passes["transpose_conv"] = rewrite.transpose_conv(model)
    build.reference = g.save(model)
    if build.passes["transpose_conv"]:
        build.reference_model = g.load(build.reference)
    # LiteRT runs MediaPipe's custom transpose conv only through XNNPACK's float path, which is enough here.
    build.steps.append(("fold_densify+" * bool(densified) + "fold_dequantize+signature+transpose_conv",
                        original.data, build.reference))
    before = build.reference
    for name in REWRITE_ORDER:
        if REWRITTEN_OP.get(name) in spec.float_ops:
            continue
        build.passes[name] = rewrite.PASSES[name](model)
        if build.passes[name]:
            after = g.save(model)
            build.steps.append((name, before, after))
            before = after
    build.rewritten = before
    return build


def check_float(build: FloatBuild, inputs: list[np.ndarray]) -> list[equivalence.Check]:
    """Run every recorded step on real and random inputs; raises EquivalenceError on a mismatch."""
    rng = np.random.default_rng(0)
    low, high = build.spec.value_range
    shape = (1, *build.spec.size, 3)
    probes = inputs[:CHECK_SAMPLES] + [rng.uniform(low, high, shape).astype(np.float32) for _ in range(2)]
    checks = []
    if build.reference_model is not None:
        checks.append(equivalence.compare_transpose_conv("transpose_conv", build.reference_model, probes))
    for name, before, after in build.steps:
        checks.append(equivalence.compare(name, before, after, probes))
    build.checks = checks
    return checks


def load_floats(cache: Path, names: list[str]) -> dict[str, FloatBuild]:
    wheel = source.fetch_wheel(cache)
    return {name: build_float(SPECS[name], source.read_original(wheel, SPECS[name].member)) for name in names}


def calibration_set(floats: dict[str, FloatBuild], count: int,
                    progress: Callable[[str], None]) -> datasets.Dataset:
    return datasets.build("calibration", count, {n: b.reference for n, b in floats.items()}, progress)


EQUALIZE_SAMPLES = 40


def equalized(build: FloatBuild, samples: list[np.ndarray]) -> bytes:
    """Cross-layer equalization on calibration activations; checked like the rewrites."""
    model = g.load(build.rewritten)
    build.passes["equalize"] = equalize.equalize(model, equalize.channel_peaks(build.rewritten,
                                                                               samples[:EQUALIZE_SAMPLES]))
    build.quantizable = g.save(model)
    build.checks.append(equivalence.compare("equalize", _logits_out(build.rewritten), _logits_out(build.quantizable),
                                            samples[:CHECK_SAMPLES]))
    return build.quantizable


def _logits_out(content: bytes) -> bytes:
    """The model with each output sigmoid dropped, for equivalence checks at the logits.

    The segmenters' logits reach ±1000, so float re-association noise (2e-5 relative) can move a
    probability past the check's 1e-4 absolute tolerance; relative to the logits it is well inside.
    """
    model = g.load(content)
    sub = model.subgraphs[0]
    writer = g.producers(sub)
    sub.outputs = np.array([int(sub.operators[writer[int(t)]].inputs[0])
                            if int(t) in writer and g.op_name(model, sub.operators[writer[int(t)]]) == "LOGISTIC"
                            else int(t) for t in sub.outputs], np.int32)
    model.signatureDefs = []
    return g.save(model)


def calibrated_model(build: FloatBuild, samples: list[np.ndarray],
                     progress: Callable[[int], None] = lambda _: None) -> bytes:
    """The equalized float model with capped activation ranges recorded: the quantizer's input."""
    source_model = equalized(build, samples)
    calibrated = ranges.calibrate(source_model, samples, progress,
                                  least_error=build.spec.task in ranges.MSE_TASKS)
    capped, build.range_notes = ranges.cap_ranges(calibrated, build.spec, source_model, samples)
    return capped


def int8_model(build: FloatBuild, samples: list[np.ndarray], progress: Callable[[int], None]) -> bytes:
    """Equalize, calibrate, cap the ranges that matter, quantize; the cap notes go into ``build.range_notes``."""
    capped = calibrated_model(build, samples, progress)
    io = np.int8 if build.spec.int8_io else np.float32
    keep = islands.for_spec(capped, build.spec)
    if not keep:
        return quantize.full_int8(capped, list(samples[0].shape), io)
    return islands.quantize(capped, keep, io)


def write_outputs(out_dir: Path, results: dict[str, Result]) -> None:
    """Write model files and merge their entries into the manifest (other models' entries are kept)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "manifest.toml"
    entries: dict[str, dict[str, object]] = {}
    if path.is_file():
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("models", {})
    for name, result in results.items():
        int8_file, float_file = f"{name}_int8.tflite", f"{name}_float.tflite"
        (out_dir / int8_file).write_bytes(result.int8)
        (out_dir / float_file).write_bytes(result.float.reference)
        entries[name] = manifest.entry(result.float.spec, result.float.original, int8_file,
                                       source.sha256(result.int8), float_file, source.sha256(result.float.reference),
                                       result.float.passes)
    manifest.write(path, entries, manifest.build_info())


def delegation_line(model: bytes) -> str:
    return Runner(model).delegation.describe()


@dataclass
class Result:
    """One built model: its float stages and its int8 bytes."""

    float: FloatBuild
    int8: bytes


def build(names: list[str], cache: Path, scenes: int = CALIBRATION_SCENES,
          say: Callable[[str], None] = lambda _: None,
          bar: Callable[[str, int], Callable[[], None]] = lambda _d, _n: (lambda: None)) -> dict[str, Result]:
    """The whole factory for ``names``; ``say`` gets progress lines, ``bar(desc, total)`` gives a tick function."""
    needed = sorted(set(names) | set(SCENE_MODELS) | handsets.scene_models(names))
    floats = load_floats(cache, needed)
    for name in names:
        passes = ", ".join(f"{k} {v}" for k, v in floats[name].passes.items() if v)
        say(f"{name}: float rewritten ({passes})")
    tick = bar("calibration scenes", scenes * (2 if handsets.scene_models(names) else 1))   # hand scenes too
    data = calibration_set(floats, scenes, lambda _: tick())
    say(f"calibration set: {scenes} scenes, " + ", ".join(f"{n} {len(data.inputs[n])}" for n in names) + " inputs")
    results: dict[str, Result] = {}
    for name in names:
        for check in check_float(floats[name], data.inputs[name]):
            say(f"{name}: equivalent after {check.describe()}")
        samples = data.inputs[name]
        tick = bar(f"{name} calibrate", len(samples))
        int8 = int8_model(floats[name], samples, lambda _, t=tick: t())
        say(f"{name}: equivalent after {floats[name].checks[-1].describe()}")
        for note in floats[name].range_notes:
            say(f"{name}: range cap {note}")
        say(f"{name}: int8 {len(int8) // 1024} KiB, {delegation_line(int8)}")
        results[name] = Result(floats[name], int8)
    return results
