"""Open the models perception needs through the runtime loader, ``magicbooth.inference.loader``.

Each decoder was written for one input normalisation; ``ModelIO`` checks the
manifest agrees before the first frame.
"""

from __future__ import annotations

from magicbooth.core.config import Config
from magicbooth.inference.loader import load_model
from magicbooth.perception import detector, handmarks, landmarker, palms, segmenter
from magicbooth.perception.model import ModelIO

# kind -> (model name in the manifest, input value range the decoder expects)
MODELS: dict[str, tuple[str, tuple[float, float]]] = {
    "detector": ("face_detection_short_range", detector.VALUE_RANGE),
    "landmarks": ("face_landmark", landmarker.VALUE_RANGE),
    "landscape": ("selfie_segmentation_landscape", segmenter.VALUE_RANGE),
    "general": ("selfie_segmentation", segmenter.VALUE_RANGE),
    "palm": ("palm_detection_lite", palms.VALUE_RANGE),
    "hand": ("hand_landmark_lite", handmarks.VALUE_RANGE),
}


def open_model(kind: str, config: Config) -> ModelIO:
    """Load the int8 model for ``detector``, ``landmarks``, ``landscape``, ``general``, ``palm`` or ``hand``."""
    name, value_range = MODELS[kind]
    return ModelIO(load_model(name, config.inference.threads), value_range)


def open_reference(kind: str, config: Config) -> ModelIO:
    """The float reference of a model, for accuracy checks (tests, tools); never used at run time."""
    name, value_range = MODELS[kind]
    return ModelIO(load_model(name, config.inference.threads, variant="float"), value_range)
