"""File input and output for ``magicbooth render``: images, and video through PyAV.

``H264Writer`` is a stand-in for the recorder's encoder (kept apart so it can be swapped);
it writes a plain H.264 MP4 with libx264, which OpenCV's bundled FFmpeg cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from magicbooth.core.errors import RecorderError, SourceError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".m4v"}


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def read_image(path: Path) -> np.ndarray:
    """An RGB image; SourceError naming the file if it cannot be read."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise SourceError(f"{path}: cannot read image; give a PNG or JPEG file")
    return np.ascontiguousarray(img[:, :, ::-1])


def write_image(path: Path, image: np.ndarray) -> None:
    if not cv2.imwrite(str(path), image[:, :, ::-1]):
        raise RecorderError(f"{path}: cannot write image; check the directory exists and the suffix is "
                            f"one of {', '.join(sorted(IMAGE_SUFFIXES))}")


class VideoReader:
    """Decode every frame of a video file in order, as RGB arrays with their frame rate."""

    def __init__(self, path: Path) -> None:
        import av

        self.path = path
        try:
            self._container = av.open(str(path))
            self._stream = self._container.streams.video[0]
        except (av.error.FFmpegError, OSError, IndexError) as exc:
            raise SourceError(f"{path}: cannot open video: {exc}") from None
        rate = self._stream.average_rate or self._stream.guessed_rate or Fraction(30)
        self.fps = Fraction(rate)

    def frames(self) -> Iterator[np.ndarray]:
        import av

        try:
            for frame in self._container.decode(self._stream):
                yield frame.to_ndarray(format="rgb24")
        except av.error.FFmpegError as exc:
            raise SourceError(f"{self.path}: cannot decode video: {exc}") from None

    def close(self) -> None:
        self._container.close()


class H264Writer:
    """Encode RGB frames to an H.264 MP4 with libx264 (yuv420p, so sizes are cropped to even).

    Preset ``ultrafast``: with the analysis-heavy presets (veryfast, medium) this libx264 gave
    different bitstreams for identical input from run to run in one process; ultrafast is
    byte-for-byte repeatable, and quick on a Pi.
    """

    def __init__(self, path: Path, fps: Fraction, crf: int = 18) -> None:
        import av

        self.path, self.fps, self.crf = path, fps, crf
        try:
            self._container = av.open(str(path), "w")
        except (av.error.FFmpegError, OSError) as exc:
            raise RecorderError(f"{path}: cannot create video file: {exc}") from None
        self._stream = None
        self.count = 0

    def write(self, image: np.ndarray) -> None:
        import av

        h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
        if self._stream is None:
            self._stream = self._container.add_stream("libx264", rate=self.fps)
            self._stream.width, self._stream.height = w, h
            self._stream.pix_fmt = "yuv420p"
            self._stream.options = {"crf": str(self.crf), "preset": "ultrafast"}
        # Convert to I420 ourselves: PyAV's own rgb24 -> yuv420p path gave run-to-run differences.
        yuv = cv2.cvtColor(np.ascontiguousarray(image[:h, :w]), cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = self.count
        frame.time_base = 1 / Fraction(self.fps)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.count += 1

    def close(self) -> None:
        if self._stream is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
        self._container.close()
