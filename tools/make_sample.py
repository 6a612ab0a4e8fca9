"""Make ``device/assets/sample.mp4``: a short 640x480 clip of a real face.

The face is scikit-image's ``astronaut`` (Eileen Collins, NASA, public domain).
The clip pans, zooms and tilts the photo slowly so that detection, tracking and
smoothing all have something to do. Output is H.264 through PyAV with fixed
settings, so reruns give the same frames.

    python tools/make_sample.py [--seconds 6] [--out device/assets/sample.mp4]

Needs scikit-image (the ``models`` extra); the app itself only reads the MP4.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import av
import cv2
import numpy as np

WIDTH, HEIGHT, FPS = 640, 480, 30


def astronaut() -> np.ndarray:
    from skimage import data

    return np.ascontiguousarray(data.astronaut())


def frame_at(photo: np.ndarray, t: float) -> np.ndarray:
    """The photo warped by a slow zoom, pan and tilt at time ``t`` seconds."""
    return cv2.warpAffine(photo, matrix_at(photo.shape, t), (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT101)


def matrix_at(shape: tuple[int, ...], t: float) -> np.ndarray:
    """The 2×3 map from photo to frame pixels at time ``t`` (tools/bench_reuse.py maps the truth with it)."""
    h, w = shape[:2]
    scale = 1.05 + 0.12 * math.sin(2 * math.pi * t / 6.0)
    angle = 10.0 * math.sin(2 * math.pi * t / 4.0)
    dx = 50.0 * math.sin(2 * math.pi * t / 5.0)
    dy = 20.0 * math.sin(2 * math.pi * t / 3.0)
    face_center = (w * 0.43, h * 0.32)  # keep the face near the middle of the frame
    matrix = cv2.getRotationMatrix2D(face_center, angle, scale)
    matrix[0, 2] += WIDTH / 2 - face_center[0] + dx
    matrix[1, 2] += HEIGHT * 0.42 - face_center[1] + dy
    return matrix


def write_clip(out: Path, seconds: float) -> int:
    photo = astronaut()
    out.parent.mkdir(parents=True, exist_ok=True)
    count = round(seconds * FPS)
    with av.open(str(out), mode="w", options={"movflags": "+faststart"}) as container:
        container.metadata["comment"] = "scikit-image astronaut (NASA, public domain), animated by tools/make_sample.py"
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "30", "preset": "medium", "g": str(FPS), "threads": "1",
                          "x264-params": "bframes=0"}
        for i in range(count):
            frame = av.VideoFrame.from_ndarray(frame_at(photo, i / FPS), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "device/assets/sample.mp4")
    args = parser.parse_args()
    frames = write_clip(args.out, args.seconds)
    print(f"{args.out}: {frames} frames, {args.out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
