"""Open the models perception needs, through the runtime loader.

Each model comes with its input normalisation, which the decoders rely on.
"""

from __future__ import annotations

from device.config import Config
from device.perception import detector, landmarker, segmenter
from device.perception.model import ModelIO, open_float_interpreter

# kind -> (model name, float original's path under mediapipe/modules, input value range)
MODELS: dict[str, tuple[str, str, tuple[float, float]]] = {
    "detector": ("face_detection_short_range", "face_detection/face_detection_short_range.tflite",
                 detector.VALUE_RANGE),
    "landmarks": ("face_landmark", "face_landmark/face_landmark.tflite", landmarker.VALUE_RANGE),
    "landscape": ("selfie_segmentation_landscape", "selfie_segmentation/selfie_segmentation_landscape.tflite",
                  segmenter.VALUE_RANGE),
    "general": ("selfie_segmentation", "selfie_segmentation/selfie_segmentation.tflite", segmenter.VALUE_RANGE),
}


def open_model(kind: str, config: Config) -> ModelIO:
    """Load one model (``detector``, ``landmarks``, ``landscape`` or ``general``) ready to run."""
    name, float_path, value_range = MODELS[kind]
    threads = config.inference.threads or 1
    return ModelIO(open_float_interpreter(float_path, threads), value_range, name)


def open_reference(kind: str, config: Config) -> ModelIO:
    """The float reference of a model, for accuracy checks (tests, tools); never used at run time."""
    name, float_path, value_range = MODELS[kind]
    return ModelIO(open_float_interpreter(float_path, config.inference.threads or 1), value_range, f"{name} (float)")
