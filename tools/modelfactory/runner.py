"""Run in-memory .tflite bytes with LiteRT: the tools' view (no manifest, float or int8 files alike)."""

from __future__ import annotations

import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from magicbooth.inference.amx import keep_xnnpack_off_amx
from magicbooth.inference.delegation import Delegation, delegation_of


class Runner:
    """One interpreter over model bytes; float in, float out, outputs in graph order."""

    def __init__(self, content: bytes, threads: int = 1) -> None:
        keep_xnnpack_off_amx()  # measure what the app runs
        self.interpreter = Interpreter(model_content=content, num_threads=threads)
        self.interpreter.allocate_tensors()
        self._input = self.interpreter.get_input_details()[0]
        self._outputs = self.interpreter.get_output_details()

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self._input["shape"])

    @property
    def delegation(self) -> Delegation:
        return delegation_of(self.interpreter)

    def __call__(self, array: np.ndarray) -> list[np.ndarray]:
        self.interpreter.set_tensor(self._input["index"], self.tensor_of(array))
        self.interpreter.invoke()
        return self.values_of([self.interpreter.get_tensor(detail["index"]) for detail in self._outputs])

    def tensor_of(self, array: np.ndarray) -> np.ndarray:
        """A float input as the model's input tensor (quantized where the model's I/O is int8)."""
        array = np.asarray(array, np.float32).reshape(self.input_shape)
        if self._input["dtype"] != np.float32:
            scale, zero = self._input["quantization"]
            array = np.clip(np.round(array / scale) + zero, -128, 127).astype(self._input["dtype"])
        return array

    def values_of(self, tensors: list[np.ndarray]) -> list[np.ndarray]:
        """The model's output tensors, in graph order, as float values."""
        results = []
        for detail, value in zip(self._outputs, tensors, strict=True):
            if detail["dtype"] != np.float32:
                scale, zero = detail["quantization"]
                value = (value.astype(np.float32) - zero) * np.float32(scale)
            results.append(np.array(value, np.float32))
        return results

    def latencies(self, array: np.ndarray, count: int, warmup: int = 10) -> np.ndarray:
        """Seconds per invoke over ``count`` timed runs after ``warmup`` untimed ones."""
        self(array)
        for _ in range(warmup):
            self.interpreter.invoke()
        times = np.empty(count)
        for i in range(count):
            start = time.perf_counter()
            self.interpreter.invoke()
            times[i] = time.perf_counter() - start
        return times
