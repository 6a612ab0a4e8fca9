"""Feed uint8 pixels to a model from ``magicbooth.inference.loader`` and read its outputs by name.

Normalisation is the loader's ``invoke_rgb``: for int8-input models it is a
bit flip of the pixels, for float-input ones one multiply-add. Perception only
checks that the manifest's range is the one its decoders were written for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from magicbooth.core.errors import ModelError
from magicbooth.inference.loader import Model


class ModelIO:
    """One loaded model with its pixel normalisation.

    Usage::

        io = ModelIO(load_model("face_detection_short_range"), expect_range=(-1.0, 1.0))
        outputs = io.run(pixels)     # uint8 RGB at io.input_size -> {"regressors": ..., "classificators": ...}
    """

    def __init__(self, model: Model, expect_range: tuple[float, float], *,
                 reopen: Callable[[int], Model] | None = None) -> None:
        if tuple(model.value_range) != tuple(expect_range):
            raise ModelError(f"{model.name}: the manifest's input range {model.value_range} is not the "
                             f"{expect_range} perception was written for; rebuild the models")
        self.model = model
        self._configured = model
        self._reopen = reopen
        self._by_threads: dict[int, Model] = {model.threads: model}
        self._wanted: int | None = None

    @property
    def threads(self) -> int | None:
        """The LiteRT thread count asked for (None: as loaded); the running one is ``model.threads``."""
        return self._wanted

    @threads.setter
    def threads(self, count: int | None) -> None:
        """Ask for another thread count; the next ``run`` (on the thread that runs the model) switches.

        LiteRT fixes threads when an interpreter is made, so another count is another interpreter,
        loaded once (on first use) and kept, so switching back costs nothing.
        """
        self._wanted = count

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
        wanted = self._wanted
        if wanted is None:
            self.model = self._configured
        elif wanted != self.model.threads and self._reopen is not None:
            if wanted not in self._by_threads:
                self._by_threads[wanted] = self._reopen(wanted)
            self.model = self._by_threads[wanted]
        return self.model.invoke_rgb(pixels)

    def require(self, *names: str) -> None:
        """Fail at load time, not on the first frame, if the model lacks an output the decoder reads."""
        missing = [n for n in names if n not in self.output_names]
        if missing:
            raise ModelError(f"{self.name}: no output {', '.join(missing)} (has {', '.join(self.output_names)}); "
                             "rebuild the models")
