"""Write ``models_tflite/manifest.toml``: files, hashes, input contract, outputs, quantization, source, license."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import tomli_w

from tools.modelfactory import source
from tools.modelfactory.quantize import DESCRIPTION, DETAILS
from tools.modelfactory.specs import ModelSpec

HEADER = ("# Written by tools/build_models.py; do not edit. device/inference/loader.py checks every file's sha256\n"
          "# against this manifest before loading it.\n")
FLOAT_DESCRIPTION = ("float32 reference: the MediaPipe original with fp16 weights folded to fp32, a serving "
                     "signature, and the custom Convolution2DTransposeBias as builtin TRANSPOSE_CONV + bias")


@dataclass(frozen=True)
class Graph:
    """One int8 file of a model and what the manifest says about it."""

    file: str
    sha256: str
    cpus: tuple[str, ...]  # the CPU classes that load it (magicbooth.inference.cpu)
    islands: str  # the search's summary of its float ops; empty: the spec's hand-chosen islands
    passes: dict[str, int]
    figures: dict[str, dict[str, float]] | None = field(default=None)  # "instructions", "tuning", as searched


def entry(spec: ModelSpec, original: source.Original, float_file: str, float_sha: str, graphs: dict[str, Graph],
          float_instructions: dict[str, int]) -> dict[str, object]:
    """The manifest table for one model: the float reference and one table per int8 graph."""
    table: dict[str, object] = {
        "task": spec.task,
        "license": source.WHEEL_LICENSE,
        "input": {
            "shape": [1, spec.size[0], spec.size[1], 3],
            "layout": "NHWC",
            "dtype": "float32",
            "range": list(spec.value_range),
            "normalisation": spec.normalisation,
        },
        "outputs": dict(spec.outputs),
    }
    for key, graph in graphs.items():
        part: dict[str, object] = {
            "file": graph.file,
            "sha256": graph.sha256,
            "cpus": list(graph.cpus),
            "quantization": _quantization(spec, graph.islands),
            "io": ("int8 input and outputs; the loader (magicbooth.inference) quantizes and dequantizes "
                   "(uint8 pixels: one bit flip)"
                   if spec.int8_io else "float32 input and outputs (QUANTIZE/DEQUANTIZE inside the graph)"),
            "rewrites": {name: count for name, count in graph.passes.items() if count},
        }
        if graph.figures:
            part.update({k: v for k, v in graph.figures.items() if v})
        table[key] = part
    table["float"] = {
        "file": float_file,
        "sha256": float_sha,
        "quantization": FLOAT_DESCRIPTION + (", block-sparse weights densified"
                                             if any(g.passes.get("fold_densify") for g in graphs.values()) else ""),
        "io": "float32 input and outputs",
        **({"instructions": dict(float_instructions)} if float_instructions else {}),
    }
    table["source"] = {
        "wheel": source.WHEEL_FILE,
        "wheel_sha256": source.WHEEL_SHA256,
        "path": original.member,
        "sha256": original.sha256,
        "license": source.WHEEL_LICENSE,
    }
    return table


def _quantization(spec: ModelSpec, searched: str = "") -> str:
    if searched:
        return f"int8 except, in float32 between DEQUANTIZE and QUANTIZE, {searched}: {DETAILS}"
    floats = [f"{', '.join(spec.float_ops)} (measured faster than their int8 forms)"] if spec.float_ops else []
    if spec.float_stem:
        floats.append(f"the first {spec.float_stem} ops (the stem)")
    if spec.float_tail:
        floats.append(f"the last {spec.float_tail} ops (the tail)")
    if spec.float_head:
        floats.append(f"the output head {spec.head} (int8 rounding there lands on the outputs)")
    if spec.float_squeeze:
        floats.append("the squeeze-and-excite branches after each MEAN (a few dozen values each)")
    if not floats:
        return DESCRIPTION
    return f"int8 except, in float32 between DEQUANTIZE and QUANTIZE, {' and '.join(floats)}: {DETAILS}"


def build_info() -> dict[str, str]:
    """What decides the bytes: the tool versions (tools/lock/dev.txt installs these) and the float kernels.

    The calibration scenes cut faces out with the float segmenter on XNNPACK, whose kernels are chosen by
    CPU: on AVX2 they differ from AVX-512 in the last float bit, which moved 56 pixels of the 160 scenes
    by one step. The detector still came out byte-identical; the claim is only made where it was checked.
    """
    return {"command": "python tools/build_models.py", "ai_edge_litert": metadata.version("ai-edge-litert"),
            "numpy": metadata.version("numpy"), "opencv": metadata.version("opencv-python-headless"),
            "scikit_image": metadata.version("scikit-image"), "matplotlib": metadata.version("matplotlib"),
            "float_kernels": float_kernels()}


_AVX512 = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}  # XNNPACK's AVX-512 (Skylake-X) level


def float_kernels(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The class of float kernels XNNPACK picks here: "x86_64 AVX-512", "x86_64 AVX2", or the machine name."""
    machine = platform.machine()
    if machine not in ("x86_64", "AMD64"):
        return machine
    try:
        flags = next((set(line.split(":", 1)[1].split()) for line in cpuinfo.read_text(errors="replace").splitlines()
                      if line.startswith("flags")), set())
    except OSError:
        flags = set()
    if flags >= _AVX512:
        return "x86_64 AVX-512"
    if flags >= {"avx2", "fma"}:
        return "x86_64 AVX2"
    return "x86_64"


def environment_differences(recorded: dict[str, str]) -> list[str]:
    """How this environment differs from the one ``recorded`` ([build] of the manifest); empty if it does not.

    Where it differs, a rebuild is held to ``compare``'s tolerance instead of to bytes.
    """
    current = build_info()
    return [f"{key} {current[key]} (the shipped models: {recorded.get(key, 'not recorded')})"
            for key in current if key != "command" and recorded.get(key) != current[key]]


def write(path: Path, models: dict[str, dict[str, object]], build: dict[str, str]) -> None:
    """Write the manifest with models in name order (stable bytes)."""
    text = HEADER + tomli_w.dumps({"build": build, "models": {name: models[name] for name in sorted(models)}})
    path.write_text(text, encoding="utf-8")
