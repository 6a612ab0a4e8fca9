"""Plain output files for ``magicbooth render``: an H.264 MP4 through PyAV, or an image.

Unlike the recorder's clips these are ordinary files with no pre-roll, sidecar or library:
``H264Writer`` writes a plain H.264 MP4 with libx264, which OpenCV's bundled FFmpeg cannot.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from magicbooth.core.errors import RecorderError
from magicbooth.core.media import IMAGE_SUFFIXES

if TYPE_CHECKING:
    from av.video.stream import VideoStream


def write_image(path: Path, image: np.ndarray) -> None:
    if not cv2.imwrite(str(path), image[:, :, ::-1]):
        raise RecorderError(f"{path}: cannot write image; check the directory exists and the suffix is "
                            f"one of {', '.join(sorted(IMAGE_SUFFIXES))}")


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
        self._stream: VideoStream | None = None
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
        yuv: np.ndarray = cv2.cvtColor(np.ascontiguousarray(image[:h, :w]), cv2.COLOR_RGB2YUV_I420)
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
