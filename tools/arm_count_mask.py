"""Count ARM instructions per frame of the mask path alone (model + refinement + smoothing + clean-up).

Runs inside the emulated arm64 Debian of ``../shared/tools/arm64`` through ``tools/arm_mask.sh``,
which also works for an older checkout (``--root``), so before and after are counted alike.
Frames are the repo's sample clip at 640×480 (moving: pan, zoom, tilt); with ``lores`` each frame
also carries a 320×240 copy, as picamera2's low-resolution stream does on a Pi.

    tools/arm_mask.sh [--cpu cortex-a72] [--root CHECKOUT] [--lores] [--frames 12] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import ctypes
import inspect
import sys
from pathlib import Path

import cv2


def main() -> int:
    root = Path(sys.argv[1])
    count = int(sys.argv[2])
    lores = sys.argv[3] == "lores"
    from magicbooth.core.config import Config
    from magicbooth.core.frames import Frame
    from magicbooth.perception import Perception

    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(tag: int) -> None:
        libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))

    capture = cv2.VideoCapture(str(root / "device" / "assets" / "sample.mp4"))
    frames = []
    while len(frames) < count + 2:
        ok, bgr = capture.read()
        if not ok:
            break
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        frames.append((rgb, cv2.resize(rgb, (320, 240), interpolation=cv2.INTER_AREA) if lores else None))
    config = Config().replace("inference", threads=1)
    for item in sys.argv[4:]:  # [perception] options, KEY=VALUE
        key, _, value = item.partition("=")
        kind = type(getattr(config.perception, key))
        config = config.replace("perception", **{key: value == "true" if kind is bool else kind(value)})
    perception = Perception(config, {"mask"})
    with_lores = "lores" in inspect.signature(Frame).parameters
    make = (lambda i, f: Frame(f[0], i / 30, i, f[1])) if with_lores else (lambda i, f: Frame(f[0], i / 30, i))
    for i in range(2):  # warm-up: first-call allocations
        perception.process(make(i, frames[i]))
    mark(3)
    mark(4)
    for i, f in enumerate(frames[2:]):
        frame = make(i + 2, f)
        mark(10 + 2 * i)
        perception.process(frame)
        mark(11 + 2 * i)
    print(f"mask path ({'with' if lores else 'without'} a 320x240 low-resolution stream): {len(frames) - 2} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
