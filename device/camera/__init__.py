"""Frame sources, chosen once from a spec string like ``auto``, ``webcam:1`` or ``clip.mp4``.

Usage::

    with open_source("sample", config) as source:   # None: the config's [camera] source
        frame = source.read()                        # a Frame, or None at the end of a file
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from magicbooth.camera.base import FrameSource
from magicbooth.camera.file import FileSource
from magicbooth.camera.picamera2_source import Picamera2Source
from magicbooth.camera.webcam import WebcamSource
from magicbooth.core.config import Config
from magicbooth.core.errors import SourceError

log = logging.getLogger(__name__)

__all__ = ["FileSource", "FrameSource", "Picamera2Source", "WebcamSource", "open_source", "sample_path"]


def sample_path() -> Path:
    """The bundled sample clip (a real face, public domain; made by tools/make_sample.py)."""
    return Path(str(resources.files("magicbooth.assets") / "sample.mp4"))


def open_source(spec: str | None, config: Config, *, realtime: bool | None = None,
                loop: bool | None = None) -> FrameSource:
    """Build (not yet open) the source named by ``spec`` (``None`` means the config's)."""
    cam = config.camera
    spec = (spec or cam.source).strip()
    realtime = cam.realtime if realtime is None else realtime
    loop = cam.loop if loop is None else loop
    if spec == "auto":
        return _auto(config, realtime=realtime)
    if spec == "picamera2":
        return Picamera2Source(size=cam.size, fps=cam.fps, buffer_count=cam.buffer_count,
                               analysis_size=cam.analysis_size, timeout_s=cam.timeout_s)
    if spec == "sample":
        return FileSource(sample_path(), size=cam.size, loop=loop, realtime=realtime)
    if spec == "webcam" or spec.startswith("webcam:"):
        index = spec.partition(":")[2] or "0"
        if not index.isdigit():
            raise SourceError(f"source '{spec}': expected webcam or webcam:N with N a number, e.g. webcam:0")
        return WebcamSource(int(index), size=cam.size, fps=cam.fps)
    if spec.startswith("/dev/video"):
        return WebcamSource(spec, size=cam.size, fps=cam.fps)
    path = Path(spec).expanduser()
    if not path.exists():
        raise SourceError(f"source '{spec}': no such file or camera; expected auto, picamera2, webcam[:N], "
                          "/dev/videoN, sample, or a video/image file path")
    return FileSource(path, size=None, loop=loop, realtime=realtime)


def _auto(config: Config, *, realtime: bool) -> FrameSource:
    """picamera2, then a webcam, then the sample; log the choice and why."""
    cam = config.camera
    if Picamera2Source.available():
        log.info("source auto: using picamera2 (a Raspberry Pi camera is connected)")
        return open_source("picamera2", config)
    if WebcamSource.available(0):
        log.info("source auto: using webcam:0 (no Pi camera; /dev/video0 is present)")
        return open_source("webcam:0", config)
    log.info("source auto: using the bundled sample clip (no Pi camera and no /dev/video0)")
    return FileSource(sample_path(), size=cam.size, loop=True, realtime=realtime)
