"""Count ARM instructions per frame of one effect's render (perception excluded), the Pi stand-in.

Runs inside the emulated arm64 Debian of ``../shared/tools/arm64`` (see its README). Scenes come
from the project's perception on the bundled sample clip (run before the markers, not counted);
each ``effect.render`` is wrapped in the marker syscalls that ``markrun.sh`` turns into counts::

    markrun.sh --cpu cortex-a72 -b $PWD:/app -- /app/tools/arm_count_effects.py sticker [FRAMES]

Outside the emulator the markers are harmless failing syscalls.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from magicbooth import effects  # noqa: E402
from magicbooth.core.config import Config  # noqa: E402
from magicbooth.core.frames import Frame  # noqa: E402
from magicbooth.core.scene import Scene  # noqa: E402
from magicbooth.effects.surface import new_canvas  # noqa: E402
from magicbooth.perception import Perception  # noqa: E402

OPTIONS = {"kaiju": {"mouth_open": "0.05"}, "timemachine": {"duration": "0"}}


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "sticker"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    cv2.setNumThreads(1)
    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(tag: int) -> None:
        libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))

    capture = cv2.VideoCapture(str(ROOT / "device" / "assets" / "sample.mp4"))
    images = []
    while len(images) < count + 2:
        ok, bgr = capture.read()
        if not ok:
            break
        images.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    effect = effects.create(name, OPTIONS.get(name, {}))
    config = Config().replace("inference", threads=1).replace("perception", max_faces=1)
    perception = Perception(config, effect.needs) if effect.needs else None
    frames = [Frame(img, i / 30, i) for i, img in enumerate(images)]
    scenes = [perception.process(f) if perception else Scene(f) for f in frames]
    canvas = new_canvas(scenes[0].frame.size)
    for i in range(2):  # warm-up: asset loading and first-call allocations
        effect.render(canvas, scenes[i], i / 30)
    mark(3)
    mark(4)
    for i, scene in enumerate(scenes[2:]):
        mark(10 + 2 * i)
        effect.render(canvas, scene, (i + 2) / 30)
        mark(11 + 2 * i)
    print(f"{name}: {len(scenes) - 2} frames rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
