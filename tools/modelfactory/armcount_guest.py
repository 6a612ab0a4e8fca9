"""Inside the emulated arm64 Pi OS: one cold and one counted warm invoke of every model in a folder.

Run by ``armcount.Counter`` under qemu's ``markcount`` plugin: marker syscalls
3 and 4 back to back (their own cost), then 10+2k and 11+2k around model k's
warm invoke (1 thread, XNNPACK as LiteRT applies it by default). A model that
will not load gets no markers. Needs only numpy and ai-edge-litert (the guest venv).

    python armcount_guest.py FOLDER      # FOLDER/index.txt lists the .tflite files, one a line
"""

import ctypes
import sys
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

_libc = ctypes.CDLL(None)
_libc.syscall.restype = ctypes.c_long


def mark(tag: int) -> None:
    _libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))


def main() -> int:
    folder = Path(sys.argv[1])
    names = (folder / "index.txt").read_text(encoding="utf-8").split()
    rng = np.random.default_rng(0)
    mark(3)
    mark(4)
    for k, name in enumerate(names):
        try:
            interpreter = Interpreter(model_path=str(folder / name), num_threads=1)
            interpreter.allocate_tensors()
            for detail in interpreter.get_input_details():
                if np.issubdtype(detail["dtype"], np.integer):
                    info = np.iinfo(detail["dtype"])
                    value = rng.integers(info.min, info.max, detail["shape"], endpoint=True)
                else:
                    value = rng.random(detail["shape"], dtype=np.float32)
                interpreter.set_tensor(detail["index"], value.astype(detail["dtype"]))
            interpreter.invoke()
        except (ValueError, RuntimeError) as exc:
            print(f"{k} {name}: {exc}", file=sys.stderr, flush=True)
            continue
        mark(10 + 2 * k)
        interpreter.invoke()
        mark(11 + 2 * k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
