"""Doctor check for what the booth can see: faces near and far (``[perception] detector``)."""

from __future__ import annotations

from magicbooth.core.config import Config
from magicbooth.doctor.checks import Check
from magicbooth.perception.loading import far_faces


def check_far_faces(config: Config) -> Check:
    """The full-range face detector loads (int8, checksum, XNNPACK) when the config asks for it."""
    ok, detail = far_faces(config)
    if ok or config.perception.detector == "short":
        return Check("far faces", True, detail)
    return Check("far faces", False, detail,
                 "rebuild the model: python tools/build_models.py face_detection_full_range (or restore "
                 "models_tflite/ from git)", warn=config.perception.detector == "auto")


PERCEPTION_CHECKS = (check_far_faces,)
