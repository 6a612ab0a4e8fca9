"""The runtime loader: manifest checks, clear errors, explicit threads, float in / float out."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from magicbooth.core.errors import ModelError
from magicbooth.inference.loader import (
    MODELS_DIR,
    REGENERATE,
    default_threads,
    load_model,
    read_manifest,
    resolve_threads,
)

NAME = "face_detection_short_range"


@pytest.fixture
def models_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped models to damage."""
    target = tmp_path / "models"
    shutil.copytree(MODELS_DIR, target, ignore=shutil.ignore_patterns("REPORT.*"))
    return target


def test_missing_file_names_file_and_command(models_copy: Path) -> None:
    (models_copy / f"{NAME}_int8.tflite").unlink()
    with pytest.raises(ModelError, match="model file missing") as caught:
        load_model(NAME, models_dir=models_copy, cpu="arm")
    assert f"{NAME}_int8.tflite" in str(caught.value) and REGENERATE in str(caught.value)


def test_flipped_byte_is_caught_by_sha256(models_copy: Path) -> None:
    path = models_copy / f"{NAME}_int8.tflite"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match the manifest") as caught:
        load_model(NAME, models_dir=models_copy, cpu="arm")
    assert str(path) in str(caught.value) and REGENERATE in str(caught.value)


def test_wrong_model_in_place_is_refused(models_copy: Path) -> None:
    shutil.copy(models_copy / "face_landmark_int8.tflite", models_copy / f"{NAME}_int8.tflite")
    with pytest.raises(ModelError, match="does not match the manifest"):
        load_model(NAME, models_dir=models_copy, cpu="arm")


def test_int8_missing_never_falls_back_to_float(models_copy: Path) -> None:
    (models_copy / f"{NAME}_int8.tflite").unlink()
    assert (models_copy / f"{NAME}_float.tflite").is_file()
    with pytest.raises(ModelError):
        load_model(NAME, models_dir=models_copy, cpu="arm")


def test_missing_manifest_and_unknown_model(models_copy: Path) -> None:
    with pytest.raises(ModelError, match="no model 'nope'"):
        load_model("nope", models_dir=models_copy)
    (models_copy / "manifest.toml").unlink()
    with pytest.raises(ModelError, match="manifest missing"):
        load_model(NAME, models_dir=models_copy)


def test_thread_count_defaults_and_is_explicit() -> None:
    assert default_threads(1) == 1
    assert default_threads(2) == 1
    assert default_threads(4) == 3
    assert default_threads(16) == 4
    assert resolve_threads(None) == resolve_threads(0) == default_threads()
    assert resolve_threads(3) == 3
    with pytest.raises(ModelError):
        resolve_threads(-1)
    assert load_model(NAME, threads=2).threads == 2


def test_load_logs_partition_count(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="magicbooth.inference.loader"):
        load_model(NAME, threads=1)
    assert "1 XNNPACK partition" in caplog.text


def test_int8_and_float_agree_on_a_real_face() -> None:
    from skimage import data

    face = np.asarray(data.astronaut())[:256, 128:384]  # the astronaut's head and shoulders
    import cv2

    image = cv2.resize(face, (128, 128), interpolation=cv2.INTER_AREA)
    reference = load_model(NAME, threads=1, variant="float")
    a = reference.invoke_rgb(image)
    best = int(np.argmax(a["classificators"]))
    assert reference.variant == "float" and a["classificators"].reshape(-1)[best] > 0  # float sees a face
    for key in sorted(v for n, v in read_manifest() if n == NAME and v.startswith("int8")):  # every class's graph
        int8 = load_model(NAME, threads=1, variant=key)
        assert int8.variant == key and int8.input_shape == (1, 128, 128, 3) and int8.input_dtype is np.float32
        b = int8.invoke_rgb(image)
        assert a["regressors"].shape == b["regressors"].shape == (1, 896, 16)
        assert b["classificators"].reshape(-1)[best] > 0, key  # and so does int8, at the same anchor


def test_wrong_input_shape_is_a_clear_error() -> None:
    model = load_model(NAME, threads=1)
    with pytest.raises(ModelError, match="input shape"):
        model.invoke(np.zeros((1, 64, 64, 3), np.float32))


def _int8_io_models(directory: Path) -> Path:
    """A tiny model with int8 I/O whose input grid is the pixel grid (0..1 pinned), and its manifest.

    No shipped model has int8 I/O now (their first ops are float islands), but the loader still
    supports it for any that does: this keeps its pixel fast path tested.
    """
    import hashlib

    import tomli_w
    from tiny_models import TinyModel

    from tools.modelfactory import graph as g
    from tools.modelfactory import quantize, ranges

    tiny = TinyModel((1, 8, 8, 3))
    float_model = tiny.finish(tiny.conv(tiny.input, 4))
    calibrated = g.load(ranges.calibrate(float_model, tiny.inputs(8, low=0, high=1)))
    pinned = calibrated.subgraphs[0].tensors[int(calibrated.subgraphs[0].inputs[0])].quantization
    pinned.min, pinned.max = np.array([0.0], np.float32), np.array([1.0], np.float32)
    files = {"int8": quantize.full_int8(g.save(calibrated), [1, 8, 8, 3], np.int8), "float": float_model}
    directory.mkdir()
    entry: dict[str, object] = {"task": "test", "input": {"shape": [1, 8, 8, 3], "range": [0.0, 1.0],
                                                          "normalisation": "pixel / 255"},
                                "outputs": {"features": "a tiny convolution"}}
    for variant, content in files.items():
        (directory / f"tiny_{variant}.tflite").write_bytes(content)
        entry[variant] = {"file": f"tiny_{variant}.tflite", "sha256": hashlib.sha256(content).hexdigest(),
                          "quantization": variant, "io": variant}
    (directory / "manifest.toml").write_text(tomli_w.dumps({"models": {"tiny": entry}}), encoding="utf-8")
    return directory


def test_pixel_fast_path_matches_float_path(tmp_path: Path) -> None:
    model = load_model("tiny", threads=1, models_dir=_int8_io_models(tmp_path / "models"))
    assert model._pixels_are_int8  # the path under test, not the float fallback
    pixels = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    fast = model.invoke_rgb(pixels)["features"]  # int8 I/O: the pixels with the top bit flipped
    assert np.array_equal(fast, model.invoke(pixels.astype(np.float32) / 255)["features"])
    with pytest.raises(ModelError, match="uint8"):
        model.invoke_rgb(pixels.astype(np.float32))


def test_float_io_model_normalises_pixels_as_the_manifest_says() -> None:
    import cv2
    from skimage import data

    image = cv2.resize(np.asarray(data.astronaut()), (256, 256), interpolation=cv2.INTER_AREA)
    segmenter = load_model("selfie_segmentation", threads=1)  # float model I/O: normalised in numpy
    mask = segmenter.invoke_rgb(image)["mask"]
    # The documented normalisation, computed the same way: the int8 layers after the float stem make some
    # edge pixels sensitive to the last float bit (as XNNPACK's and the builtin kernels' rounding differ).
    assert np.array_equal(mask, segmenter.invoke(image.astype(np.float32) * np.float32(1 / 255))["mask"])
    assert mask.dtype == np.float32 and mask.min() >= 0 and mask.max() <= 1
    assert mask[0, 60:200, 60:200].mean() > 0.5  # the astronaut is a person
