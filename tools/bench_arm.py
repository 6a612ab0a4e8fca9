"""Count the ARM instructions one booth frame costs, inside the emulated Pi OS (shared/tools/arm64).

Run it under the marker counter (``tools/arm_markcount.py``, or ``markrun.sh``); each frame (or
part of one) sits between a pair of marker syscalls and the counter reports the instructions
of every pair, summed over every thread. On a real Pi the markers are harmless ENOSYS calls.
``tools/bench_arm.sh`` runs every part and writes the counts file ``magicbooth bench
--arm-counts`` reads.

    python tools/arm_markcount.py --cpu cortex-a72 -b $PWD:/app -- /app/tools/bench_arm.py --part frame

Parts: ``perception`` (every model the effect needs, offline, in order), ``effect`` (the
effect's render on a perceived scene), ``encode`` (libx264 through the recorder's encoder; needs
PyAV in the guest), ``encode-hw`` (what the CPU does per frame for the Pi 4's hardware encoder:
the recorder's RGB to YUV 4:2:0 conversion and one copy of it into the encoder's buffer; the
VideoCore's own work and the kernel's are not counted), ``frame`` (perception, effect and
libx264). With ``--lores`` each frame carries picamera2's low-resolution stream: the ISP's
scaled YUV 4:2:0 is made outside the counted region, and its conversion to RGB is counted (it
is the capture thread's work on a Pi).

The package is staged as setuptools' package-dir lays it out (``tools/staged_package.py``).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.staged_package import put_on_path  # noqa: E402

_libc = ctypes.CDLL(None)
_libc.syscall.restype = ctypes.c_long
PARTS = ("perception", "effect", "encode", "encode-hw", "frame")


def mark(tag: int) -> None:
    _libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, default="frame")
    parser.add_argument("--frames", type=int, default=10, help="frames counted (after 2 warm-up frames)")
    parser.add_argument("--effect", default="", help="effect name (default: the benchmark's heaviest)")
    parser.add_argument("--threads", type=int, default=1, help="LiteRT threads per model")
    parser.add_argument("--needs", default="", help="perception part only: comma-separated subset of "
                        "faces,mesh,mask to run (default: what the effect needs)")
    parser.add_argument("--lores", default="", metavar="WxH", help="a picamera2-style low-resolution stream")
    parser.add_argument("--site", action="append", default=[], help="extra import folder (e.g. an unpacked "
                        "aarch64 PyAV wheel when the guest venv has none)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to count (default: this one)")
    args = parser.parse_args()
    sys.path[:0] = args.site
    put_on_path(args.root / "pyproject.toml")

    import cv2
    import numpy as np
    import pygame

    from magicbooth import effects
    from magicbooth.bench.components import effect_name, needs_of
    from magicbooth.camera import open_source
    from magicbooth.core.config import Config
    from magicbooth.core.frames import Frame
    from magicbooth.perception import Perception

    config = Config().replace("inference", threads=args.threads)
    name = effect_name(args.effect or None)
    needs = set(args.needs.split(",")) if args.needs else (needs_of(name) or {"faces"})
    perception = Perception(config, needs=needs)
    drawer = effects.create(name)
    encoder = None
    if args.part in ("encode", "frame"):
        from magicbooth.recording.encoder import VideoEncoder

        encoder = VideoEncoder("libx264", tuple(config.camera.size), config.camera.fps, config.recorder)
    lores = tuple(int(v) for v in args.lores.split("x")) if args.lores else None
    if lores:
        from magicbooth.camera.picamera2_source import lores_rgb
    size = tuple(config.camera.size)
    if args.part == "encode-hw":
        from magicbooth.recording.encoder import to_i420

        staged = np.zeros((size[1] * 3 // 2, size[0]), np.uint8)
        v4l2_buffer = np.empty_like(staged)
    source = open_source("sample", config, realtime=False, loop=True)
    source.open()
    mark(3)
    mark(4)
    for i in range(args.frames + 2):
        read = source.read()
        assert read is not None
        isp = None if lores is None else cv2.cvtColor(cv2.resize(read.image, lores, interpolation=cv2.INTER_AREA),
                                                       cv2.COLOR_RGB2YUV_I420)
        image = read.image.copy()
        h, w = image.shape[:2]
        canvas = pygame.image.frombuffer(image, (w, h), "RGB")
        counted = i >= 2
        if counted:
            mark(10 + 2 * (i - 2))
        frame = read if isp is None else Frame(read.image, read.t, read.index, lores_rgb(isp, lores[0]))
        scene = perception.process(frame) if args.part in ("perception", "effect", "frame") else None
        if args.part == "effect" and counted:  # count the render only
            mark(11 + 2 * (i - 2))
            mark(10 + 2 * (i - 2))
        if args.part in ("effect", "frame"):
            drawer.render(canvas, scene, frame.t)
        if encoder is not None:
            encoder.encode(image, frame.t)
        if args.part == "encode-hw":
            to_i420(image, size)
            np.copyto(v4l2_buffer, staged)  # stand-in for FFmpeg's copy of the frame into the V4L2 output buffer
        if counted:
            mark(11 + 2 * (i - 2))
        print(f"frame {i}: faces {len(scene.faces) if scene else '-'}, meshes {len(scene.meshes) if scene else '-'}",
              file=sys.stderr)
    source.close()
    print(f"ran: {ran(perception)}")
    return 0


def ran(perception) -> str:
    """The model files that ran and how often (the variant is part of every figure)."""
    parts = []
    for role in ("detector", "tracker", "segmenter"):
        part = getattr(perception, role)
        if part is None:
            continue
        models = ([part.landmarker.model] if role == "tracker" else list(part._models.values())
                  if role == "segmenter" else [d.model for d in (part.near, part.far) if d is not None])
        calls = part.landmarker.calls if role == "tracker" else part.calls
        for io in models:
            entry = io.model.entry
            parts.append(f"{entry.file} ({entry.variant}, sha256 {entry.sha256[:12]}, {calls} runs)")
    return "; ".join(parts) or "no models"


if __name__ == "__main__":
    sys.exit(main())
