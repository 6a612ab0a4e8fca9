"""Count ARM instructions per frame of our perception, for the Pi stand-in comparison with MediaPipe.

Runs inside the emulated arm64 Debian of ``../shared/tools/arm64`` (see its README); each
``process(frame)`` is wrapped in marker syscalls that the counter turns into instructions (all
threads). The package is staged as setuptools' package-dir lays it out (``tools/staged_package.py``:
device/ is ``magicbooth``), so any checkout can be counted. ``tools/arm_perception.py`` runs this and
MediaPipe's own pipeline (``tools/arm_count_mediapipe.py``) on the same frames, per CPU.

    python tools/arm_markcount.py -b $PWD:/app -- /app/tools/arm_count_perception.py det+seg \
        [--frames 12] [--float] [--lores 320x240] [--npy /app/frames.npy] [--set KEY=VALUE]...

``--lores`` gives every frame the low-resolution stream picamera2 makes on a Pi: the ISP's
scaled copy (made outside the counted region, as the ISP does it) arrives as YUV420 and its
conversion to RGB is counted, as ``Picamera2Source`` does it. Outside the emulator the markers
are harmless failing syscalls.
"""

from __future__ import annotations

import argparse
import ctypes
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.staged_package import put_on_path  # noqa: E402

CONFIGS = {"det": {"faces"}, "seg": {"mask"}, "mesh": {"mesh"}, "det+seg": {"faces", "mask"},
           "det+mesh": {"faces", "mesh"}, "mesh+seg": {"mesh", "mask"}}


def load_frames(npy: str | None, count: int) -> list:
    """The first ``count`` RGB frames of the .npy file, or of the sample clip (looped if short)."""
    import cv2
    import numpy as np

    if npy:
        frames = [np.ascontiguousarray(f) for f in np.load(npy, mmap_mode="r")[:count]]
    else:
        capture = cv2.VideoCapture(str(ROOT / "device" / "assets" / "sample.mp4"))
        frames = []
        while len(frames) < count:
            ok, bgr = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    while len(frames) < count:
        frames.append(frames[len(frames) % max(1, len(frames))])
    return frames


def typed_options(config, items: list[str]):
    """``[perception]`` options from KEY=VALUE strings."""
    for item in items:
        key, _, value = item.partition("=")
        kind = type(getattr(config.perception, key))
        config = config.replace("perception", **{key: value.lower() in ("1", "true", "yes") if kind is bool
                                                 else kind(value)})
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", choices=sorted(CONFIGS), nargs="?", default="det+seg")
    parser.add_argument("--frames", type=int, default=12, help="frames counted (after 2 warm-up frames)")
    parser.add_argument("--float", action="store_true", help="the float reference models instead of the int8 ones")
    parser.add_argument("--lores", default="", metavar="WxH", help="a picamera2-style low-resolution stream")
    parser.add_argument("--npy", help="RGB frames, N×H×W×3 uint8 (default: the sample clip)")
    parser.add_argument("--max-faces", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a [perception] option")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to count (default: this one)")
    args = parser.parse_args()
    put_on_path(args.root / "pyproject.toml")
    import cv2

    try:
        from magicbooth.camera.picamera2_source import lores_rgb
    except ImportError:  # an older checkout: the same conversion, inline there
        def lores_rgb(yuv):
            return cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)
    from magicbooth.core.config import Config
    from magicbooth.core.frames import Frame
    from magicbooth.perception import Perception
    from magicbooth.perception.loading import open_reference

    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(tag: int) -> None:
        libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))

    images = load_frames(args.npy, args.frames + 2)
    lores = tuple(int(v) for v in args.lores.split("x")) if args.lores else None
    # what the ISP hands over: the scaled picture as YUV420 (made here, outside the counted frames)
    isp = [cv2.cvtColor(cv2.resize(im, lores, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2YUV_I420)
           if lores else None for im in images]
    config = Config().replace("inference", threads=1).replace("perception", max_faces=args.max_faces)
    config = typed_options(config, args.set)
    opener = (lambda kind: open_reference(kind, config)) if args.float else None
    perception = Perception(config, CONFIGS[args.config], opener=opener)

    def frame(i: int) -> Frame:
        return Frame(images[i], i / 30, i, None if isp[i] is None else lores_rgb(isp[i]))

    for i in range(2):  # warm-up: first-call allocations and the first detection
        perception.process(frame(i))
    mark(3)
    mark(4)
    found = []
    for i in range(2, len(images)):
        mark(10 + 2 * (i - 2))
        scene = perception.process(frame(i))
        mark(11 + 2 * (i - 2))
        found.append(len(scene.faces))
    print(f"ours {args.config}: {len(images) - 2} frames of {images[0].shape[1]}x{images[0].shape[0]}"
          f"{f', lores {args.lores}' if lores else ''}; faces per frame {found}; {ran(perception)}")
    return 0


def ran(perception) -> str:
    """Which model files ran and how often: the variant is part of every figure."""
    parts = []
    for role in ("detector", "tracker", "segmenter"):
        part = getattr(perception, role)
        if part is None:
            continue
        if role == "tracker":
            models = [part.landmarker.model]
        elif role == "segmenter":
            models = list(part._models.values())
        else:  # the face finder: the short-range detector, and the full-range one where it is loaded
            models = [d.model for d in (part.near, part.far) if d is not None]
        for io in models:
            model = io.model
            parts.append(f"{model.name} {model.variant} {model.entry.file} {model.entry.sha256[:12]}")
        calls = getattr(part, "calls", None)
        if role == "detector":  # the face finder: how often it looked, and how often the full-range scan ran
            parts[-1] += f" (finder calls {calls}, full-range calls {getattr(part, 'far_calls', 0)})"
        elif calls is not None:
            parts[-1] += f" (calls {calls})"
    return "models: " + "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
