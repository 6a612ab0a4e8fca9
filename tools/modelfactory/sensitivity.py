"""Which block of ops is responsible for an int8 accuracy miss: keep each block float in turn and re-measure.

The block whose float version recovers the most accuracy is the one to blame.
Ops are cut into blocks of ``step`` in graph order (a block of MobileNet or
BlazeFace is about that long).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tools.modelfactory import graph as g
from tools.modelfactory import islands
from tools.modelfactory.runner import Runner

Metric = Callable[[Callable, Callable, Sequence[np.ndarray]], dict[str, float]]


def sweep(float_model: bytes, calibrated: bytes, metric: Metric, key: str, inputs: Sequence[np.ndarray],
          step: int = 12) -> dict[str, Any]:
    """Baseline ``key`` with everything int8, then ``key`` with each block kept float."""
    model = g.load(float_model)
    sub = model.subgraphs[0]
    names = [bytes(sub.tensors[int(op.outputs[0])].name).decode() for op in sub.operators]
    kinds = [g.op_name(model, op) for op in sub.operators]
    reference = Runner(float_model)

    def measure(keep: list[str]) -> float:
        candidate = Runner(islands.quantize(calibrated, keep))
        return metric(reference, candidate, inputs)[key]

    blocks = []
    for start in range(0, len(names), step):
        counted: dict[str, int] = {}
        for kind in kinds[start:start + step]:
            counted[kind] = counted.get(kind, 0) + 1
        blocks.append({"ops": f"{start}-{min(start + step, len(names)) - 1}",
                       "first_tensor": names[start], "last_tensor": names[min(start + step, len(names)) - 1],
                       "kinds": ", ".join(f"{k}×{v}" for k, v in sorted(counted.items(), key=lambda kv: -kv[1])),
                       key: measure(names[start:start + step])})
    return {"metric": key, "all_int8": measure([]), "blocks": blocks}
