"""Pipeline sinks that keep frames: the clip recorder, and plain files for ``magicbooth render``."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pygame

from magicbooth.core.frames import Frame
from magicbooth.pipeline.flow import FramePass
from magicbooth.pipeline.overlay import Watermark
from magicbooth.recording.export import H264Writer, write_image
from magicbooth.recording.recorder import Recorder


class RecordSink:
    """Pushes each finished frame (effect and watermark burned in) to the recorder.

    Offline sources (files read as fast as they decode) are stamped from the
    frame index, so the clip plays at the file's rate, not at decoding speed.
    """

    name = "record"

    def __init__(self, recorder: Recorder, *, live: bool = True, watermark: Watermark | None = None) -> None:
        self.recorder = recorder
        self.live = live
        self.watermark = watermark

    def time_of(self, frame: Frame) -> float:
        """The time a frame is recorded at: its own ``t`` live, its index / fps offline."""
        return frame.t if self.live else frame.index / self.recorder.fps

    def __call__(self, work: FramePass) -> None:
        image = work.image
        if self.watermark is not None and self.watermark.is_shown:
            # on a copy: the display mirrors work.image, and the watermark must not be mirrored
            image = image.copy()
            # ignore: pygame's stub takes bytes-like types only; frombuffer takes any buffer (numpy too)
            self.watermark.draw(pygame.image.frombuffer(image, work.frame.size, "RGB"))  # type: ignore[arg-type]
        if work.quality is not None:
            self.recorder.note_quality(work.quality, self.time_of(work.frame))  # the sidecar says which levels
        self.recorder.push(image, self.time_of(work.frame))  # a fresh array per frame


class VideoFileSink:
    """Writes every frame to an H.264 MP4 (``render``'s video output)."""

    name = "write"

    def __init__(self, path: Path, fps: Fraction) -> None:
        self._writer = H264Writer(path, fps)

    @property
    def count(self) -> int:
        return self._writer.count

    def __call__(self, work: FramePass) -> None:
        self._writer.write(work.image)

    def stop(self, timeout: float = 2.0) -> None:
        """Flush the encoder and close the file (the pipeline calls this at its end)."""
        self._writer.close()


class ImageFileSink:
    """Writes the (single) frame to an image file (``render``'s image output)."""

    name = "write"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def __call__(self, work: FramePass) -> None:
        write_image(self.path, work.image)
        self.count += 1
