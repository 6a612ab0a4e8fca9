"""Full-integer quantization with the calibration wrapper that ships inside ai-edge-litert (no TensorFlow).

Weights become signed int8 per output channel, activations signed int8 per
tensor, biases int32. Model I/O stays float32: the QUANTIZE/DEQUANTIZE at the
edges run inside the XNNPACK partition, which measured no slower end to end
than quantizing in numpy, and keeps every caller's contract float.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from ai_edge_litert import _pywrap_tensorflow_lite_calibration_wrapper as calibration

DESCRIPTION = ("full int8: weights signed int8 per output channel (symmetric), activations signed int8 per tensor "
               "(asymmetric), biases int32; calibrated min/max; float32 I/O with QUANTIZE/DEQUANTIZE inside")


def full_int8(float_model: bytes, samples: Sequence[np.ndarray],
              progress: Callable[[int], None] = lambda _: None) -> bytes:
    """Calibrate on ``samples`` (batch-1 float arrays) and return the int8 model bytes."""
    wrapper = calibration.CalibrationWrapper(float_model, [], [])
    wrapper.Prepare([list(samples[0].shape)])
    for i, sample in enumerate(samples):
        wrapper.FeedTensor([np.ascontiguousarray(sample, dtype=np.float32)])
        progress(i + 1)
    io_type = np.dtype(np.float32).num
    result = wrapper.QuantizeModel(io_type, io_type, False, np.dtype(np.int8).num, np.dtype(np.int32).num,
                                   False, False)
    return bytes(result)
