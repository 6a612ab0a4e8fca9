"""The reduced-precision hint: let XNNPACK run a graph's float32 ops in fp16 on CPUs with fp16 arithmetic.

LiteRT's XNNPACK delegate reads the model metadata ``reduced_precision_support``;
``fp16accfp16`` (fp16 inference, fp16 accumulation) lets it run the float
islands of an int8 graph in fp16 where the CPU has ARMv8.2 fp16 arithmetic
(Cortex-A76, Pi 5), eight lanes to a NEON instruction instead of four. The
int8 ops are untouched. CPUs without it (Cortex-A72, this x86) ignore the hint:
same instructions, bit-identical outputs (measured). The report measures each
hinted graph's accuracy as a Cortex-A76 runs it (``emulated``); a model whose
accuracy suffers there goes without the hint (``WITHOUT_HINT``).
"""

from __future__ import annotations

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import graph as g

KEY = b"reduced_precision_support"
VALUE = "fp16accfp16"  # TFLite's ReducedPrecisionSupport as text: fp16 inference, fp16 accumulation
CORES = frozenset({"cortex-a76"})  # counted cores with fp16 arithmetic, where the hint changes what runs
# Models whose int8 graphs go without the hint, and why: held-out accuracy as the emulated Cortex-A76 computes
# their float islands in fp16, against the same graph's fp32 islands (tools/validate_models.py, 2026-12-04).
WITHOUT_HINT = {
    "face_detection_short_range": "recall of float's faces 1 -> 0.939 (2 of 33 held-out faces lost), box IoU "
                                  "0.972 -> 0.913",
    "selfie_segmentation": "mask IoU 0.935 -> 0.918, below the 0.926 its fp32 Cortex-A76 graph keeps",
    "palm_detection_lite": "palm box IoU 0.848 -> 0.819, recall 0.936 -> 0.915",
    "face_detection_full_range": "on the tuning split keypoint error 0.0978 -> 0.1024 and recall 0.9778 -> "
                                 "0.9759, below the floor its islands set there (held out it did better: "
                                 "0.090 -> 0.079, recall equal; choices are made on tuning)",
}


def wanted(model: str) -> bool:
    """Whether ``model``'s int8 graphs carry the hint."""
    return model not in WITHOUT_HINT


def hinted(content: bytes) -> bytes:
    """``content`` with the fp16 hint (replacing any earlier value of it)."""
    model = g.load(content)
    add_hint(model)
    return g.save(model)


def add_hint(model: fb.ModelT) -> None:
    """Give ``model`` the fp16 hint in place (replacing any earlier value of it)."""
    kept = [m for m in model.metadata or [] if bytes(m.name) != KEY]
    entry = fb.MetadataT()
    entry.name = KEY
    entry.buffer = g.add_buffer(model, np.frombuffer(VALUE.encode(), np.uint8))
    model.metadata = [*kept, entry]


def has_hint(content: bytes) -> bool:
    model = g.load(content)
    for entry in model.metadata or []:
        if bytes(entry.name) == KEY:
            data = model.buffers[entry.buffer].data
            return data is not None and bytes(data).decode(errors="replace") == VALUE
    return False
