"""Count ARM instructions per frame of MediaPipe 0.10.14's own float pipeline (legacy solutions).

The peer of ``tools/arm_count_perception.py``: the same frames (a ``.npy`` file of RGB frames,
or the sample clip), the same marker protocol, inside the emulated Pi OS of
``../shared/tools/arm64``, with MediaPipe's aarch64 wheel and its small pure-Python dependencies
unpacked into a folder on the guest's import path (``tools/arm_perception.py`` prepares it).
Configurations as in ``tools/compare_mediapipe.py``: ``det`` face_detection (short range),
``seg`` selfie_segmentation (landscape), ``mesh`` face_mesh with tracking, ``det+seg`` both.
Each ``process`` call is one counted frame, its graph's threads included.

    python tools/arm_markcount.py -b $PWD:/app -b SITE:/mpsite -- /app/tools/arm_count_mediapipe.py \
        det+seg --frames 12 --site /mpsite [--npy /app/frames.npy]
"""

from __future__ import annotations

import argparse
import ctypes
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.arm_count_perception import load_frames  # noqa: E402  (the same frames ours are counted on)

SOLUTIONS = {"det": ("fd",), "seg": ("ss",), "mesh": ("fm",), "det+seg": ("fd", "ss"), "det+mesh": ("fd", "fm")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", choices=sorted(SOLUTIONS))
    parser.add_argument("--frames", type=int, default=12, help="frames counted (after 2 warm-up frames)")
    parser.add_argument("--npy", help="RGB frames, N×H×W×3 uint8 (default: the sample clip)")
    parser.add_argument("--site", action="append", default=[], help="folder with mediapipe and its dependencies")
    parser.add_argument("--max-faces", type=int, default=1)
    args = parser.parse_args()
    sys.path[:0] = args.site
    import numpy as np
    from mediapipe.python import solutions

    frames = load_frames(args.npy, args.frames + 2)
    built = []
    if "fd" in SOLUTIONS[args.config]:
        built.append(solutions.face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5))
    if "ss" in SOLUTIONS[args.config]:
        built.append(solutions.selfie_segmentation.SelfieSegmentation(model_selection=1))
    if "fm" in SOLUTIONS[args.config]:
        built.append(solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=args.max_faces,
                                                  refine_landmarks=False))
    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(tag: int) -> None:
        libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))

    found = []
    for i in range(2):
        for solution in built:
            solution.process(frames[i])
    mark(3)
    mark(4)
    for i, image in enumerate(frames[2:]):
        mark(10 + 2 * i)
        results = [solution.process(image) for solution in built]
        mark(11 + 2 * i)
        found.append(sum(len(getattr(r, "detections", None) or getattr(r, "multi_face_landmarks", None) or ())
                         for r in results))
    print(f"mediapipe {args.config}: {len(frames) - 2} frames of {frames[0].shape[1]}x{frames[0].shape[0]}, "
          f"faces per frame {found}; numpy {np.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
