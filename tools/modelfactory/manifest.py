"""Write ``models_tflite/manifest.toml``: files, hashes, input contract, outputs, quantization, source, license."""

from __future__ import annotations

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


def entry(spec: ModelSpec, original: source.Original, int8_file: str, int8_sha: str, float_file: str,
          float_sha: str, passes: dict[str, int]) -> dict[str, object]:
    """The manifest table for one model."""
    return {
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
        "int8": {
            "file": int8_file,
            "sha256": int8_sha,
            "quantization": _quantization(spec),
            "io": ("int8 input and outputs; the loader (magicbooth.inference) quantizes and dequantizes "
                   "(uint8 pixels: one bit flip)"
                   if spec.int8_io else "float32 input and outputs (QUANTIZE/DEQUANTIZE inside the graph)"),
            "rewrites": {name: count for name, count in passes.items() if count},
        },
        "float": {
            "file": float_file,
            "sha256": float_sha,
            "quantization": FLOAT_DESCRIPTION,
            "io": "float32 input and outputs",
        },
        "source": {
            "wheel": source.WHEEL_FILE,
            "wheel_sha256": source.WHEEL_SHA256,
            "path": original.member,
            "sha256": original.sha256,
            "license": source.WHEEL_LICENSE,
        },
    }


def _quantization(spec: ModelSpec) -> str:
    floats = [f"{', '.join(spec.float_ops)} (measured faster than their int8 forms)"] if spec.float_ops else []
    if spec.float_stem:
        floats.append(f"the first {spec.float_stem} ops (the stem)")
    if spec.float_head:
        floats.append("the output head convolutions, RESHAPE and CONCATENATION (int8 rounding there lands on the "
                      "outputs)")
    if spec.float_squeeze:
        floats.append("the squeeze-and-excite branches after each MEAN (a few dozen values each)")
    if not floats:
        return DESCRIPTION
    return f"int8 except, in float32 between DEQUANTIZE and QUANTIZE, {' and '.join(floats)}: {DETAILS}"


def build_info() -> dict[str, str]:
    """The tool versions that decide the bytes (a rebuild with others may differ)."""
    return {"command": "python tools/build_models.py", "ai_edge_litert": metadata.version("ai-edge-litert"),
            "numpy": metadata.version("numpy"), "opencv": metadata.version("opencv-python-headless"),
            "scikit_image": metadata.version("scikit-image"), "matplotlib": metadata.version("matplotlib")}


def write(path: Path, models: dict[str, dict[str, object]], build: dict[str, str]) -> None:
    """Write the manifest with models in name order (stable bytes)."""
    text = HEADER + tomli_w.dumps({"build": build, "models": {name: models[name] for name in sorted(models)}})
    path.write_text(text, encoding="utf-8")
