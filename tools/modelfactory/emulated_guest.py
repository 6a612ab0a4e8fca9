"""Inside the emulated arm64 Pi OS: run one model on a batch of saved input tensors, save the output tensors.

Run by ``emulated.outputs`` under qemu (``run.sh --cpu ...``, no plugin): the
kernels XNNPACK picks are the emulated core's, so a graph with the fp16 hint
computes its float islands in fp16 on Cortex-A76 exactly as a Pi 5 would.
Needs only numpy and ai-edge-litert (the guest venv).

    python emulated_guest.py FOLDER     # FOLDER/model.tflite, FOLDER/inputs.npy -> FOLDER/outputs.npz
"""

import sys
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter


def main() -> int:
    folder = Path(sys.argv[1])
    interpreter = Interpreter(model_path=str(folder / "model.tflite"), num_threads=1)
    interpreter.allocate_tensors()
    source = interpreter.get_input_details()[0]
    outputs = interpreter.get_output_details()
    inputs = np.load(folder / "inputs.npy")
    found: dict[str, list[np.ndarray]] = {str(k): [] for k in range(len(outputs))}
    for tensor in inputs:
        interpreter.set_tensor(source["index"], tensor.reshape(source["shape"]).astype(source["dtype"]))
        interpreter.invoke()
        for k, detail in enumerate(outputs):
            found[str(k)].append(interpreter.get_tensor(detail["index"]).copy())
    np.savez(folder / "outputs.npz", **{k: np.stack(v) for k, v in found.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
