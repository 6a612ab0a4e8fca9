"""Make ``device/assets/sample.mp4``: a short 640x480 clip of a real face.

The face is scikit-image's ``astronaut`` (Eileen Collins, NASA, public domain), with
more of its studio backdrop filled in above and beside it. The clip pans, zooms and
tilts the photo slowly so that detection, tracking and smoothing all have something to do.
Output is H.264 through PyAV with fixed settings, so reruns give the same frames.

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


# Backdrop added around the photo (top, left, right), so the camera can pan and zoom without showing
# past its edge: a mirrored border (the first clip's) showed a second patch of hair above the head,
# and stickers sat on it. The photo's own top edge is just above her hair, so without it there is no
# headroom for a sticker.
EXTEND = (140, 150, 100)


def extended(photo: np.ndarray) -> np.ndarray:
    """The photo with more studio backdrop around it, filled in from its own edges (soft, like a defocused wall)."""
    top, left, right = EXTEND
    ext = cv2.copyMakeBorder(photo, top, 0, left, right, cv2.BORDER_REPLICATE)
    band = np.zeros(ext.shape[:2], np.uint8)
    band[: top + 2] = 255
    band[:, : left + 2] = 255
    band[:, -right - 2:] = 255
    small = cv2.inpaint(cv2.resize(ext, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA),
                        cv2.resize(band, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_NEAREST), 6,
                        cv2.INPAINT_TELEA)
    fill = cv2.GaussianBlur(cv2.resize(small, (ext.shape[1], ext.shape[0]), interpolation=cv2.INTER_CUBIC), (0, 0), 6)
    grain = np.random.default_rng(0).normal(0, 4, ext.shape).astype(np.float32)   # the photo's own grain
    soft = cv2.GaussianBlur(band.astype(np.float32) / 255, (0, 0), 8)[..., None]
    out = ext.astype(np.float32) * (1 - soft) + (fill.astype(np.float32) + grain) * soft
    return np.clip(out, 0, 255).astype(np.uint8)


def matrix_at(size: tuple[int, int], t: float) -> np.ndarray:
    """The affine map from the extended photo (``size`` = width, height) to frame ``t`` s in: slow zoom, pan, tilt."""
    top, left, _ = EXTEND
    scale = 1.15 + 0.08 * math.sin(2 * math.pi * t / 6.0)
    angle = 8.0 * math.sin(2 * math.pi * t / 4.0)
    dx = 35.0 * math.sin(2 * math.pi * t / 5.0)
    dy = 15.0 * math.sin(2 * math.pi * t / 3.0)
    face_center = (left + 512 * 0.43, top + 512 * 0.32)   # in the 512x512 astronaut photo
    matrix = cv2.getRotationMatrix2D(face_center, angle, scale)
    matrix[0, 2] += WIDTH / 2 - face_center[0] + dx
    matrix[1, 2] += HEIGHT * 0.46 - face_center[1] + dy      # room above the head for a sticker
    return matrix


def frame_at(photo: np.ndarray, t: float) -> np.ndarray:
    """The extended photo as frame ``t`` seconds into the clip."""
    matrix = matrix_at((photo.shape[1], photo.shape[0]), t)
    return cv2.warpAffine(photo, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)


def write_clip(out: Path, seconds: float) -> int:
    photo = extended(astronaut())
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
