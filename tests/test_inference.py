"""The runtime loader: manifest checks, clear errors, explicit threads, float in / float out."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from device.errors import ModelError
from device.inference import MODELS_DIR, REGENERATE, default_threads, load_model, resolve_threads

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
        load_model(NAME, models_dir=models_copy)
    assert f"{NAME}_int8.tflite" in str(caught.value) and REGENERATE in str(caught.value)


def test_flipped_byte_is_caught_by_sha256(models_copy: Path) -> None:
    path = models_copy / f"{NAME}_int8.tflite"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match the manifest") as caught:
        load_model(NAME, models_dir=models_copy)
    assert str(path) in str(caught.value) and REGENERATE in str(caught.value)


def test_wrong_model_in_place_is_refused(models_copy: Path) -> None:
    shutil.copy(models_copy / "face_landmark_int8.tflite", models_copy / f"{NAME}_int8.tflite")
    with pytest.raises(ModelError, match="does not match the manifest"):
        load_model(NAME, models_dir=models_copy)


def test_int8_missing_never_falls_back_to_float(models_copy: Path) -> None:
    (models_copy / f"{NAME}_int8.tflite").unlink()
    assert (models_copy / f"{NAME}_float.tflite").is_file()
    with pytest.raises(ModelError):
        load_model(NAME, models_dir=models_copy)


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
    with caplog.at_level(logging.INFO, logger="device.inference"):
        load_model(NAME, threads=1)
    assert "1 XNNPACK partition" in caplog.text


def test_int8_and_float_agree_on_a_real_face() -> None:
    from skimage import data

    face = np.asarray(data.astronaut())[:256, 128:384]  # the astronaut's head and shoulders
    import cv2

    image = cv2.resize(face, (128, 128), interpolation=cv2.INTER_AREA)
    int8, reference = load_model(NAME, threads=1), load_model(NAME, threads=1, variant="float")
    assert int8.variant == "int8" and reference.variant == "float"
    assert int8.input_shape == (1, 128, 128, 3) and int8.input_dtype is np.float32
    a, b = reference.invoke_rgb(image), int8.invoke_rgb(image)
    assert a["regressors"].shape == b["regressors"].shape == (1, 896, 16)
    best = int(np.argmax(a["classificators"]))
    assert a["classificators"].reshape(-1)[best] > 0  # float sees a face (score > 0.5)
    assert b["classificators"].reshape(-1)[best] > 0  # and so does int8, at the same anchor


def test_wrong_input_shape_is_a_clear_error() -> None:
    model = load_model(NAME, threads=1)
    with pytest.raises(ModelError, match="input shape"):
        model.invoke(np.zeros((1, 64, 64, 3), np.float32))


def test_pixel_fast_path_matches_float_path() -> None:
    import cv2
    from skimage import data

    face = cv2.resize(np.asarray(data.astronaut())[30:300, 130:370], (192, 192), interpolation=cv2.INTER_AREA)
    model = load_model("face_landmark", threads=1)  # int8 model I/O: pixels with the top bit flipped
    fast = model.invoke_rgb(face)
    slow = model.invoke(face.astype(np.float32) / 255)
    assert all(np.array_equal(fast[k], slow[k]) for k in fast)
    assert fast["face_flag"].item() > 0  # a face: presence logit above 0 (probability above 0.5)

    image = cv2.resize(np.asarray(data.astronaut()), (256, 256), interpolation=cv2.INTER_AREA)
    segmenter = load_model("selfie_segmentation", threads=1)  # float model I/O: normalised in numpy
    mask = segmenter.invoke_rgb(image)["mask"]
    # The documented normalisation, computed the same way: the int8 layers after the float stem make some
    # edge pixels sensitive to the last float bit (as XNNPACK's and the builtin kernels' rounding differ).
    assert np.array_equal(mask, segmenter.invoke(image.astype(np.float32) * np.float32(1 / 255))["mask"])
    assert mask.dtype == np.float32 and mask.min() >= 0 and mask.max() <= 1
    assert mask[0, 60:200, 60:200].mean() > 0.5  # the astronaut is a person
    with pytest.raises(ModelError, match="uint8"):
        model.invoke_rgb(face.astype(np.float32))
