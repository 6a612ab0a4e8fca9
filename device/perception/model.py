"""Feed uint8 pixels to a model from ``device.inference`` and read its outputs by name.

The loader's models take float input in the range the manifest gives. Going
from pixels to that range through one 256-entry lookup table (``cv2.LUT``) is
a single fast pass, several times cheaper than float arithmetic on the image.
"""

from __future__ import annotations

import cv2
import numpy as np

from device.errors import ModelError
from device.inference import Model


class ModelIO:
    """One loaded model with its pixel normalisation.

    >>> io = ModelIO(load_model("face_detection_short_range"), expect_range=(-1.0, 1.0))
    >>> outputs = io.run(pixels_uint8)        # {"regressors": ..., "classificators": ...}
    """

    def __init__(self, model: Model, expect_range: tuple[float, float]) -> None:
        if tuple(model.value_range) != tuple(expect_range):
            raise ModelError(f"{model.name}: the manifest's input range {model.value_range} is not the "
                             f"{expect_range} perception was written for; rebuild the models")
        self.model = model
        lo, hi = model.value_range
        self._lut = (lo + np.arange(256, dtype=np.float64) * ((hi - lo) / 255.0)).astype(np.float32)

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of the model's image input."""
        return int(self.model.input_shape[2]), int(self.model.input_shape[1])

    @property
    def output_names(self) -> tuple[str, ...]:
        return self.model.output_names

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        """Run on an H×W×3 uint8 RGB image of exactly the input size; float outputs by name."""
        return self.model.invoke(cv2.LUT(pixels, self._lut))

    def require(self, *names: str) -> None:
        """Fail at load time, not on the first frame, if the model lacks an output the decoder reads."""
        missing = [n for n in names if n not in self.output_names]
        if missing:
            raise ModelError(f"{self.name}: no output {', '.join(missing)} (has {', '.join(self.output_names)}); "
                             "rebuild the models")
