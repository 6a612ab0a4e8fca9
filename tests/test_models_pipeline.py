"""The whole factory for the face detector: fetch, fold, rewrite, check, calibrate, quantize, same bytes.

About 20 s plus a one-off 36 MB pip download of the mediapipe wheel into
~/.cache/magicbooth/wheels (needs network to PyPI the first time).
"""

from __future__ import annotations

import tomllib

from magicbooth.inference.loader import MODELS_DIR
from tools.modelfactory import compare, manifest, pipeline, source
from tools.modelfactory.runner import Runner

NAME = "face_detection_short_range"


def test_detector_pipeline_reproduces_the_shipped_bytes() -> None:
    results = pipeline.build([NAME], source.default_cache())
    result = results[NAME]
    assert [c.step for c in result.float.checks] == ["fold_dequantize+signature+transpose_conv", "fuse_activations",
                                                  "equalize"]
    assert all(c.passed for c in result.float.checks)
    assert result.float.passes["fold_dequantize"] > 0
    assert Runner(result.int8).delegation.fully_delegated
    recorded = tomllib.loads((MODELS_DIR / "manifest.toml").read_text(encoding="utf-8"))["build"]
    shipped_float = (MODELS_DIR / f"{NAME}_float.tflite").read_bytes()
    shipped_int8 = (MODELS_DIR / f"{NAME}_int8.tflite").read_bytes()
    differs = manifest.environment_differences(recorded)
    if not differs:  # the recorded versions (tools/lock/dev.txt) and float kernels: the claim is bytes
        assert result.float.reference == shipped_float
        assert result.int8 == shipped_int8
        return
    # Elsewhere the claim is the same graph and weights, with quantization parameters within tolerance.
    for built, shipped in ((result.float.reference, shipped_float), (result.int8, shipped_int8)):
        diff = compare.differences(built, shipped)
        assert diff.within_tolerance, f"{diff.describe()}; environment: {'; '.join(differs)}"
    assert pipeline.build([NAME], source.default_cache())[NAME].int8 == result.int8  # and deterministic
