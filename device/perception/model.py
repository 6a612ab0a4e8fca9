"""Feed uint8 pixels to a model from ``magicbooth.inference.loader`` and read its outputs by name.

Normalisation is the loader's ``invoke_rgb``: for int8-input models it is a
bit flip of the pixels, for float-input ones one multiply-add. Perception only
checks that the manifest's range is the one its decoders were written for.
"""

from __future__ import annotations

import numpy as np

from magicbooth.core.errors import ModelError
from magicbooth.inference.loader import Model


class ModelIO:
    """One loaded model with its pixel normalisation.

    Usage::

        io = ModelIO(load_model("face_detection_short_range"), expect_range=(-1.0, 1.0))
        outputs = io.run(pixels)     # uint8 RGB at io.input_size -> {"regressors": ..., "classificators": ...}
    """

    def __init__(self, model: Model, expect_range: tuple[float, float]) -> None:
        if tuple(model.value_range) != tuple(expect_range):
            raise ModelError(f"{model.name}: the manifest's input range {model.value_range} is not the "
                             f"{expect_range} perception was written for; rebuild the models")
        self.model = model

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
        return self.model.invoke_rgb(pixels)

    def require(self, *names: str) -> None:
        """Fail at load time, not on the first frame, if the model lacks an output the decoder reads."""
        missing = [n for n in names if n not in self.output_names]
        if missing:
            raise ModelError(f"{self.name}: no output {', '.join(missing)} (has {', '.join(self.output_names)}); "
                             "rebuild the models")
