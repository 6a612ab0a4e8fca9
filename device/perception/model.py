"""Feed uint8 pixels to a loaded LiteRT interpreter and read float outputs.

The int8 models may take float or int8 input and give float or int8 outputs;
this adapter hides which, so the decoders only ever see normalised floats.
Normalisation goes through one 256-entry lookup table (``cv2.LUT``), so it
costs one fast pass whatever the input dtype.
"""

from __future__ import annotations

import os
from typing import Any

import cv2
import numpy as np

from device.errors import ModelError

FLOAT_MODELS_ENV = "MAGICBOOTH_FLOAT_MODELS"


class ModelIO:
    """One interpreter, its input normalisation and its outputs as float arrays.

    >>> io = ModelIO(interpreter, value_range=(-1.0, 1.0))
    >>> boxes, scores = io.run(pixels_uint8)   # outputs in model order
    """

    def __init__(self, interpreter: Any, value_range: tuple[float, float], name: str = "model") -> None:
        self.name = name
        self._it = interpreter
        self._it.allocate_tensors()
        detail = self._it.get_input_details()[0]
        self._input_index = detail["index"]
        self._input_shape = tuple(int(n) for n in detail["shape"])
        self._lut = _normalising_lut(detail, value_range)
        self._outputs = [(d["index"], _dequantiser(d)) for d in self._it.get_output_details()]

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of the model's image input."""
        return self._input_shape[2], self._input_shape[1]

    @property
    def output_shapes(self) -> list[tuple[int, ...]]:
        """Shapes of the outputs, in the order ``run`` returns them."""
        return [tuple(int(n) for n in d["shape"]) for d in self._it.get_output_details()]

    def run(self, pixels: np.ndarray) -> list[np.ndarray]:
        """Run on an H×W×3 uint8 RGB image of exactly the input size."""
        self._it.set_tensor(self._input_index, cv2.LUT(pixels, self._lut)[None])
        self._it.invoke()
        return [scale(self._it.get_tensor(index)) for index, scale in self._outputs]


def _normalising_lut(detail: dict[str, Any], value_range: tuple[float, float]) -> np.ndarray:
    lo, hi = value_range
    values = lo + np.arange(256, dtype=np.float64) * ((hi - lo) / 255.0)
    dtype = np.dtype(detail["dtype"])
    if dtype == np.float32:
        return values.astype(np.float32)
    scale, zero = detail["quantization"]
    if not scale:
        raise ModelError(f"model input is {dtype} without quantization parameters; rebuild the model")
    info = np.iinfo(dtype)
    return np.clip(np.rint(values / scale + zero), info.min, info.max).astype(dtype)


def _dequantiser(detail: dict[str, Any]) -> Any:
    scale, zero = detail["quantization"]
    if np.dtype(detail["dtype"]) == np.float32 or not scale:
        return lambda q: q
    return lambda q: (q.astype(np.float32) - np.float32(zero)) * np.float32(scale)


def open_float_interpreter(filename: str, threads: int = 1) -> Any:
    """Development-only: a float original from ``$MAGICBOOTH_FLOAT_MODELS``."""
    from ai_edge_litert.interpreter import Interpreter

    folder = os.environ.get(FLOAT_MODELS_ENV, "")
    path = os.path.join(folder, filename)
    if not os.path.isfile(path):
        raise ModelError(f"{path}: float model not found; set ${FLOAT_MODELS_ENV} to a folder holding it")
    return Interpreter(model_path=path, num_threads=threads)
