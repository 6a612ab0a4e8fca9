"""Count the ARM instructions one booth frame costs, inside the emulated Pi OS (shared/tools/arm64).

Run it with ``markrun.sh``; each frame (or part of one) sits between a pair
of marker syscalls and the plugin reports the median instructions per pair,
summed over every thread. On a real Pi the markers are harmless ENOSYS calls.

    markrun.sh --cpu cortex-a72 --venv /opt/venv -b $PWD:/app -- /app/tools/bench_arm.py --part frame

Parts: ``perception`` (every model the effect needs, offline, in order),
``effect`` (the effect's render on a perceived scene), ``encode`` (libx264
through the recorder's encoder; needs PyAV in the guest), ``frame`` (all of
them), ``models`` (one warm invoke of each model's float reference and of the
int8 graph the loader picks for this CPU, in that order; stderr names each
pair). ``magicbooth bench`` turns a count into a Pi 4 time (see
device/bench/predict.py).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_libc = ctypes.CDLL(None)
_libc.syscall.restype = ctypes.c_long


def mark(tag: int) -> None:
    _libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("perception", "effect", "encode", "frame", "models"), default="frame")
    parser.add_argument("--frames", type=int, default=8, help="frames counted (after 2 warm-up frames)")
    parser.add_argument("--effect", default="", help="effect name (default: the benchmark's heaviest)")
    parser.add_argument("--threads", type=int, default=1, help="LiteRT threads per model")
    parser.add_argument("--needs", default="", help="perception part only: comma-separated subset of "
                        "faces,mesh,mask to run (default: what the effect needs)")
    parser.add_argument("--site", action="append", default=[], help="extra import folder (e.g. an unpacked "
                        "aarch64 PyAV wheel when the guest venv has none)")
    args = parser.parse_args()
    sys.path[:0] = args.site
    if args.part == "models":
        return count_models(args.threads)

    import pygame

    from magicbooth import effects
    from magicbooth.bench.components import effect_name, needs_of
    from magicbooth.camera import open_source
    from magicbooth.core.config import Config
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
    source = open_source("sample", config, realtime=False, loop=True)
    source.open()
    mark(3)
    mark(4)
    for i in range(args.frames + 2):
        frame = source.read()
        image = frame.image.copy()
        h, w = image.shape[:2]
        canvas = pygame.image.frombuffer(image, (w, h), "RGB")
        counted = i >= 2
        if counted:
            mark(10 + 2 * (i - 2))
        scene = perception.process(frame) if args.part in ("perception", "effect", "frame") else None
        if args.part == "effect" and counted:  # count the render only
            mark(11 + 2 * (i - 2))
            mark(10 + 2 * (i - 2))
        if args.part in ("effect", "frame"):
            drawer.render(canvas, scene, frame.t)
        if encoder is not None:
            encoder.encode(image, frame.t)
        if counted:
            mark(11 + 2 * (i - 2))
        print(f"frame {i}: faces {len(scene.faces) if scene else '-'}, meshes {len(scene.meshes) if scene else '-'}",
              file=sys.stderr)
    source.close()
    return 0


def count_models(threads: int) -> int:
    """Mark one warm invoke of every model's float reference and of the int8 graph picked for this CPU."""
    import numpy as np

    from magicbooth.inference.cpu import detect
    from magicbooth.inference.loader import load_model, read_manifest

    names = sorted({name for name, variant in read_manifest() if variant == "float"})
    print(f"cpu class {detect().describe()}", file=sys.stderr)
    mark(3)
    mark(4)
    pair = 0
    for name in names:
        for variant in ("float", None):  # None: the int8 graph the loader picks for this CPU
            model = load_model(name, threads=threads, variant=variant)
            low, high = model.value_range
            x = np.random.default_rng(0).uniform(low, high, model.input_shape).astype(np.float32)
            model.invoke(x)  # sets the input and warms up; the count is the bare invoke, as count.sh's
            interpreter = model._interpreter
            mark(10 + 2 * pair)
            interpreter.invoke()
            mark(11 + 2 * pair)
            print(f"pair {pair}: {name} {model.variant}", file=sys.stderr)
            pair += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
