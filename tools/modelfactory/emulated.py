"""A model as an emulated Pi core runs it: outputs computed under qemu, served to the accuracy metrics.

The accuracy metrics (``metrics``) call a model on each input; ``Emulated``
answers from outputs computed in one batch inside the shared arm64 emulation
on the chosen core (``emulated_guest.py``). It exists for graphs whose
numerics depend on the CPU: with the fp16 hint (``fp16``) a Cortex-A76 runs
the float islands in fp16, which this x86 cannot show.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tools.modelfactory.armcount import Counter
from tools.modelfactory.runner import Runner

_GUEST = Path(__file__).with_name("emulated_guest.py")


class EmulationError(RuntimeError):
    """The emulated run did not produce outputs."""


class Emulated:
    """``content`` run on ``cpu`` in the emulation for ``inputs``; calling it with one of them gives its outputs."""

    def __init__(self, counter: Counter, content: bytes, inputs: Sequence[np.ndarray], cpu: str) -> None:
        self.cpu = cpu
        host = Runner(content)  # the model's I/O conversion, as on the host
        tensors = np.stack([host.tensor_of(x) for x in inputs])
        raw = _run(counter, content, tensors, cpu)
        self._outputs = {_key(x): host.values_of([r[i] for r in raw]) for i, x in enumerate(inputs)}

    def __call__(self, array: np.ndarray) -> list[np.ndarray]:
        found = self._outputs.get(_key(array))
        if found is None:
            raise KeyError("input not among those run in the emulation")
        return [value.copy() for value in found]


def _key(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array, np.float32).tobytes()).hexdigest()


def _run(counter: Counter, content: bytes, tensors: np.ndarray, cpu: str) -> list[np.ndarray]:
    """Per output, the stacked output tensors of every input."""
    with tempfile.TemporaryDirectory(prefix="emulated-") as folder:
        work = Path(folder)
        (work / "model.tflite").write_bytes(content)
        np.save(work / "inputs.npy", tensors)
        done = counter.run_guest(_GUEST, work, cpu)
        result = work / "outputs.npz"
        if done.returncode != 0 or not result.is_file():
            raise EmulationError(f"emulated run on {cpu} failed (exit {done.returncode}): "
                                 f"{(done.stderr or done.stdout).strip()[-400:]}")
        with np.load(result) as data:
            return [data[str(k)] for k in range(len(data.files))]
