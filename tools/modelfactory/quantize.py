"""Full-integer quantization with the calibration wrapper that ships inside ai-edge-litert (no TensorFlow).

Weights become signed int8 per output channel, activations signed int8 per
tensor, biases int32. Model I/O stays float32: the QUANTIZE/DEQUANTIZE at the
edges run inside the XNNPACK partition, and every caller's contract stays float.
The wrapper quantizes from the min/max already stored in a calibrated model, so
``ranges`` can edit those first.
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import _pywrap_tensorflow_lite_calibration_wrapper as calibration

DESCRIPTION = ("full int8: weights signed int8 per output channel (symmetric), activations signed int8 per tensor "
               "(asymmetric), biases int32; min/max calibration with sigmoid-logit and regressor caps; "
               "float32 I/O with QUANTIZE/DEQUANTIZE inside")


def full_int8(calibrated_model: bytes, input_shape: list[int]) -> bytes:
    """Quantize a calibrated float model (min/max in its tensors) to full int8."""
    wrapper = calibration.CalibrationWrapper(calibrated_model, [], [])
    wrapper.Prepare([input_shape])
    io_type = np.dtype(np.float32).num
    result = wrapper.QuantizeModel(io_type, io_type, False, np.dtype(np.int8).num, np.dtype(np.int32).num,
                                   False, False)
    return bytes(result)


def int8_with_islands(calibrated_model: bytes, input_shape: list[int], islands_hidden: bool) -> bytes:
    """Like ``full_int8``, but lets ops hidden as float islands stay float (see ``islands``)."""
    if not islands_hidden:
        return full_int8(calibrated_model, input_shape)
    wrapper = calibration.CalibrationWrapper(calibrated_model, [], [])
    io_type = np.dtype(np.float32).num
    result = wrapper.QuantizeModel(io_type, io_type, True, np.dtype(np.int8).num, np.dtype(np.int32).num,
                                   False, False)
    return bytes(result)
