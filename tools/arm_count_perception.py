"""Count ARM instructions per frame of our perception, for the Pi stand-in comparison.

Runs inside the emulated arm64 Debian of ``../shared/tools/arm64`` (see its
README); each ``process(frame)`` is wrapped in marker syscalls that its
``markrun.sh`` turns into instruction counts (all threads). Compare with
MediaPipe 0.10.14's float pipeline counted there: about 22 M instructions
(face detection), 31 M (landscape segmentation) and 31 M (face mesh) per
640x480 frame.

    markrun.sh --cpu cortex-a72 -b $PWD:/app -- /app/tools/arm_count_perception.py det+seg [FRAMES] [int8|float]

Outside the emulator the markers are harmless failing syscalls.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from magicbooth.core.config import Config  # noqa: E402
from magicbooth.core.frames import Frame  # noqa: E402
from magicbooth.perception import Perception  # noqa: E402
from magicbooth.perception.loading import open_reference  # noqa: E402

CONFIGS = {"det": {"faces"}, "seg": {"mask"}, "mesh": {"mesh"}, "det+seg": {"faces", "mask"},
           "det+mesh": {"faces", "mesh"}}


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "det+seg"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    variant = sys.argv[3] if len(sys.argv) > 3 else "int8"
    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(tag: int) -> None:
        libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))

    capture = cv2.VideoCapture(str(ROOT / "device" / "assets" / "sample.mp4"))
    frames = []
    while len(frames) < count + 2:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    config = Config().replace("inference", threads=1).replace("perception", max_faces=1)
    opener = (lambda kind: open_reference(kind, config)) if variant == "float" else None
    perception = Perception(config, CONFIGS[name], opener=opener)
    for i in range(2):  # warm-up: first-call allocations and the first detection
        perception.process(Frame(frames[i], i / 30, i))
    mark(3)
    mark(4)
    for i, image in enumerate(frames[2:]):
        mark(10 + 2 * i)
        perception.process(Frame(image, (i + 2) / 30, i + 2))
        mark(11 + 2 * i)
    print(f"{name} ({variant} models): {len(frames) - 2} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
