"""The whole factory for the face detector: fetch, fold, rewrite, check, calibrate, quantize, same bytes.

About 20 s plus a one-off 36 MB pip download of the mediapipe wheel into
~/.cache/magicbooth/wheels (needs network to PyPI the first time).
"""

from __future__ import annotations

import tomllib
from importlib import metadata

from magicbooth.inference.loader import MODELS_DIR
from tools.modelfactory import pipeline, source
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
    manifest = tomllib.loads((MODELS_DIR / "manifest.toml").read_text(encoding="utf-8"))
    if manifest["build"]["ai_edge_litert"] == metadata.version("ai-edge-litert"):
        assert result.float.reference == (MODELS_DIR / f"{NAME}_float.tflite").read_bytes()
        assert result.int8 == (MODELS_DIR / f"{NAME}_int8.tflite").read_bytes()
    else:  # another quantizer version may pick other bytes; it must still be deterministic
        assert pipeline.build([NAME], source.default_cache())[NAME].int8 == result.int8
