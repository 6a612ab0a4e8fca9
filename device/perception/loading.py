"""Open the models perception needs through the runtime loader, ``magicbooth.inference.loader``.

Each decoder was written for one input normalisation; ``ModelIO`` checks the
manifest agrees before the first frame.
"""

from __future__ import annotations

from magicbooth.core.config import Config
from magicbooth.core.errors import ModelError
from magicbooth.inference.loader import load_model
from magicbooth.perception import detector, handmarks, landmarker, palms, segmenter
from magicbooth.perception.model import ModelIO

# kind -> (model name in the manifest, input value range the decoder expects)
MODELS: dict[str, tuple[str, tuple[float, float]]] = {
    "detector": ("face_detection_short_range", detector.VALUE_RANGE),
    "far_detector": ("face_detection_full_range", detector.VALUE_RANGE),
    "landmarks": ("face_landmark", landmarker.VALUE_RANGE),
    "landscape": ("selfie_segmentation_landscape", segmenter.VALUE_RANGE),
    "general": ("selfie_segmentation", segmenter.VALUE_RANGE),
    "palm": ("palm_detection_lite", palms.VALUE_RANGE),
    "hand": ("hand_landmark_lite", handmarks.VALUE_RANGE),
}


def open_model(kind: str, config: Config) -> ModelIO:
    """Load the int8 model for ``detector``, ``far_detector``, ``landmarks``, ``landscape``, ``general``, ``palm`` or
    ``hand``."""
    name, value_range = MODELS[kind]
    return ModelIO(load_model(name, config.inference.threads), value_range,
                   reopen=lambda threads: load_model(name, threads))


def open_reference(kind: str, config: Config) -> ModelIO:
    """The float reference of a model, for accuracy checks (tests, tools); never used at run time."""
    name, value_range = MODELS[kind]
    return ModelIO(load_model(name, config.inference.threads, variant="float"), value_range)


def unavailable(kind: str, config: Config) -> str | None:
    """Why the model for ``kind`` cannot run here (missing, corrupt, refused by LiteRT), or None if it can."""
    try:
        open_model(kind, config)
    except ModelError as exc:
        return str(exc)
    return None


def far_faces(config: Config) -> tuple[bool, str]:
    """Whether guests 1-4 m away are looked for (``[perception] detector`` and the full-range model), in words."""
    mode = config.perception.detector
    if mode == "short":
        return False, "short range only ([perception] detector = \"short\"): faces within about 2 m"
    problem = unavailable("far_detector", config)
    if problem is not None:
        fallback = "falls back to short range" if mode == "auto" else "cannot start"
        return False, f"full-range model unavailable, so {mode} {fallback}: {problem}"
    how = "short range first, then" if mode == "auto" else "only"
    return True, f"{mode}: {how} the full-range scan for guests 1-4 m away"
