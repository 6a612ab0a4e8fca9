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
    fp16,
    handsets,
    islands,
    manifest,
    quantize,
    ranges,
    rewrite,
    source,
    variants,
)
from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner
from tools.modelfactory.specs import SPECS, ModelSpec

REWRITE_ORDER = ("fuse_activations", "prelu", "hard_swish", "global_average_pool", "depth_to_space_upsample")
CALIBRATION_SCENES = 160
CHECK_SAMPLES = 6
# Calibration scenes need the float detector (landmark crops) and segmenter (cut-outs).
SCENE_MODELS = ("face_detection_short_range", "selfie_segmentation")


@dataclass
class FloatBuild:
    """A model's float stages, kept so each step can be checked once real inputs exist."""

    spec: ModelSpec
    original: source.Original
    keep: tuple[str, ...] = ()  # op kinds kept whole (their rewrite pass skipped): float32 islands
    reference: bytes = b""  # shipped float reference
    rewritten: bytes = b""  # after the op rewrites
    quantizable: bytes = b""  # after cross-layer equalization: what gets calibrated and quantized
    steps: list[tuple[str, bytes, bytes]] = field(default_factory=list)  # (pass, before, after)
    reference_model: object = None  # ModelT after the transpose-conv step, for the custom-op check
    passes: dict[str, int] = field(default_factory=dict)
    checks: list[equivalence.Check] = field(default_factory=list)
    range_notes: list[str] = field(default_factory=list)


def build_float(spec: ModelSpec, original: source.Original, keep: tuple[str, ...] | None = None) -> FloatBuild:
    """Fold, sign and rewrite one original; remember every step for the equivalence checks.

    ``keep``: op kinds not to rewrite (default: the spec's hand choice); they stay float32 islands.
    """
    keep = variants.hand_islands(spec).keep if keep is None else keep
    build = FloatBuild(spec, original, keep)
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
    skipped = {variants.REWRITTEN_KINDS[kind] for kind in keep}
    for name in REWRITE_ORDER:
        if name in skipped:
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


def int8_model(build: FloatBuild, samples: list[np.ndarray], progress: Callable[[int], None],
               floats: tuple[str, ...] | None = None) -> bytes:
    """Equalize, calibrate, cap the ranges that matter, quantize; the cap notes go into ``build.range_notes``.

    ``floats``: output names of the ops to keep float32 (default: the spec's hand-chosen islands).
    """
    return quantized(build, calibrated_model(build, samples, progress), floats)


def quantized(build: FloatBuild, capped: bytes, floats: tuple[str, ...] | None = None) -> bytes:
    """The calibrated model quantized to int8 with the ops writing ``floats`` (default: the spec's) in float32.

    Zero PADs before stride-1 convolutions are folded into them (``rewrite.fold_pads``). The graph carries the
    fp16 hint (``fp16``: its float islands run in fp16 where the CPU can) unless its
    model is one that loses accuracy that way.
    """
    io = np.int8 if build.spec.int8_io else np.float32
    keep = list(floats) if floats is not None else islands.for_spec(capped, build.spec)
    graph = islands.quantize(capped, keep, io) if keep else quantize.full_int8(capped, [1, *build.spec.size, 3], io)
    model = g.load(graph)  # one load and save for both edits: the island search makes thousands of graphs
    folded = rewrite.fold_pads(model)
    if fp16.wanted(build.spec.name):
        fp16.add_hint(model)
    return g.save(model) if folded or fp16.wanted(build.spec.name) else graph


@dataclass
class Built:
    """One int8 graph of a model: the CPU classes it is for, its islands, the float form it came from."""

    classes: tuple[str, ...]
    islands: variants.Islands
    float: FloatBuild
    int8: bytes


@dataclass
class Result:
    """One built model: its float stages (the default class's form) and its int8 graphs by manifest key."""

    float: FloatBuild
    graphs: dict[str, Built]  # "int8" (the default class's), "int8_dotprod", ...

    @property
    def int8(self) -> bytes:
        """The default class's graph (Cortex-A72 and any CPU not known better)."""
        return self.graphs[DEFAULT_KEY].int8


DEFAULT_KEY = variants.variant_key(variants.DEFAULT)


def write_outputs(out_dir: Path, results: dict[str, Result],
                  chosen: dict[str, variants.ModelVariants] | None = None) -> list[str]:
    """Write model files and merge their entries into the manifest (other models' entries are kept).

    ``chosen`` (default: ``variants.toml``) gives each graph's measured figures, copied into the manifest
    where its sha256 is the one measured. Returns notes on figures left out because the graph differs.
    """
    chosen = variants.load() if chosen is None else chosen
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "manifest.toml"
    entries: dict[str, dict[str, object]] = {}
    if path.is_file():
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("models", {})
    notes: list[str] = []
    for name, result in results.items():
        float_file = f"{name}_float.tflite"
        (out_dir / float_file).write_bytes(result.float.reference)
        for stale in out_dir.glob(f"{name}_int8*.tflite"):
            if stale.name not in {f"{name}_{key}.tflite" for key in result.graphs}:
                stale.unlink()
        graphs = {}
        for key, built in result.graphs.items():
            (out_dir / f"{name}_{key}.tflite").write_bytes(built.int8)
            figures = _figures(chosen.get(name), built)
            if figures is None and name in chosen:
                notes.append(f"{name}_{key}: not the graph tools/search_islands.py measured; figures left out "
                             "(search again)")
            graphs[key] = manifest.Graph(f"{name}_{key}.tflite", source.sha256(built.int8), built.classes,
                                         built.islands.summary, built.float.passes, figures)
        found = chosen.get(name)
        entries[name] = manifest.entry(result.float.spec, result.float.original, float_file,
                                       source.sha256(result.float.reference), graphs,
                                       found.float_instructions if found else {})
    manifest.write(path, entries, manifest.build_info())
    return notes


def _figures(found: variants.ModelVariants | None, built: Built) -> dict[str, dict[str, float]] | None:
    """The search's measurements of this very graph (same sha256), or None."""
    if found is None:
        return None
    digest = source.sha256(built.int8)
    for cls in built.classes:
        variant = found.classes.get(cls)
        if variant is not None and variant.sha256 == digest:
            return {"instructions": dict(variant.instructions), "tuning": dict(variant.tuning)}
    return None


def delegation_line(model: bytes) -> str:
    return Runner(model).delegation.describe()


def graphs_for(spec: ModelSpec, chosen: dict[str, variants.ModelVariants]) -> dict[str, tuple[tuple[str, ...],
                                                                                              variants.Islands]]:
    """Manifest key -> (CPU classes, islands): one graph per distinct choice, the default class's as ``int8``.

    x86-64 joins the classes of the graph the search measured faster there.
    """
    per_class = variants.islands_for(spec, chosen)
    x86 = chosen[spec.name].x86_64 if spec.name in chosen else variants.DEFAULT
    grouped: dict[tuple, list[str]] = {}
    for cls in (variants.DEFAULT, *[c for c in per_class if c != variants.DEFAULT]):
        grouped.setdefault(per_class[cls].key, []).append(cls)
    found = {}
    for classes in grouped.values():
        key = variants.variant_key(classes[0])
        found[key] = (tuple(classes) + (("x86_64",) if x86 in classes else ()), per_class[classes[0]])
    return found


def build(names: list[str], cache: Path, scenes: int = CALIBRATION_SCENES,
          say: Callable[[str], None] = lambda _: None,
          bar: Callable[[str, int], Callable[[], None]] = lambda _d, _n: (lambda: None),
          chosen: dict[str, variants.ModelVariants] | None = None) -> dict[str, Result]:
    """The whole factory for ``names``; ``say`` gets progress lines, ``bar(desc, total)`` gives a tick function.

    ``chosen``: each class's islands (default: ``variants.toml``).
    """
    chosen = variants.load() if chosen is None else chosen
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
        samples = data.inputs[name]
        forms: dict[tuple[str, ...], tuple[FloatBuild, bytes]] = {}
        graphs: dict[str, Built] = {}
        for key, (classes, chosen_islands) in graphs_for(SPECS[name], chosen).items():
            if chosen_islands.keep not in forms:
                form = (floats[name] if chosen_islands.keep == floats[name].keep
                        else build_float(SPECS[name], floats[name].original, chosen_islands.keep))
                for check in check_float(form, samples):
                    say(f"{name}: equivalent after {check.describe()}")
                tick = bar(f"{name} calibrate", len(samples))
                capped = calibrated_model(form, samples, lambda _, t=tick: t())
                say(f"{name}: equivalent after {form.checks[-1].describe()}")
                for note in form.range_notes:
                    say(f"{name}: range cap {note}")
                forms[chosen_islands.keep] = (form, capped)
            form, capped = forms[chosen_islands.keep]
            int8 = quantized(form, capped, chosen_islands.floats)
            say(f"{name}_{key} ({', '.join(classes)}): int8 {len(int8) // 1024} KiB, {delegation_line(int8)}")
            graphs[key] = Built(classes, chosen_islands, form, int8)
        default_form = graphs[DEFAULT_KEY].float
        results[name] = Result(default_form, graphs)
    return results
