"""Full-integer quantization with the calibration wrapper that ships inside ai-edge-litert (no TensorFlow).

Weights become signed int8 per output channel, activations signed int8 per
tensor, biases int32. Model I/O is int8 where uint8 pixels are one bit flip
away from the int8 input (the input range is pinned to the normalisation
range, so the scale is exactly one pixel step), which measured faster end to
end; float otherwise (see ``specs``). ``magicbooth.inference.loader`` hides it.
The wrapper quantizes from the min/max already stored in a calibrated model, so
``ranges`` can edit those first.
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import _pywrap_tensorflow_lite_calibration_wrapper as calibration

DETAILS = ("weights signed int8 per output channel (symmetric), activations signed int8 per tensor "
           "(asymmetric), biases int32; least-error activation ranges within the calibration min/max, with "
           "sigmoid-logit and regressor caps; model I/O as the manifest's io says")
DESCRIPTION = "full int8: " + DETAILS


def full_int8(calibrated_model: bytes, input_shape: list[int], io: type, allow_float: bool = False) -> bytes:
    """Quantize a calibrated float model (min/max in its tensors) to int8 with ``io`` model I/O.

    ``allow_float`` leaves ops the quantizer does not know in float (the ``islands`` stand-ins).
    """
    wrapper = calibration.CalibrationWrapper(calibrated_model, [], [])
    if not allow_float:  # Prepare cannot resolve the islands' stand-in custom op (nor does it need to)
        wrapper.Prepare([input_shape])
    io_type = np.dtype(io).num
    result = wrapper.QuantizeModel(io_type, io_type, allow_float, np.dtype(np.int8).num, np.dtype(np.int32).num,
                                   False, False)
    return bytes(result)

