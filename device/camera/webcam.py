"""USB webcams through OpenCV's V4L2 backend."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from magicbooth.camera.base import FrameSource
from magicbooth.core.errors import CameraError

# V4L2 nodes of the Pi's own camera pipeline and codecs: present without any USB camera.
PI_INTERNAL_NODES = ("bcm2835", "rp1-cfe", "pispbe", "unicam", "rpi-hevc", "rpivid")


class WebcamSource(FrameSource):
    """A V4L2 camera by index (``webcam:0``) or device path (``/dev/video0``).

    Asks for MJPG at the configured size and fps with a one-frame driver
    buffer, so the frame read is the newest, not one queued seconds ago.
    """

    name = "webcam"

    def __init__(self, device: int | str = 0, *, size: tuple[int, int] = (640, 480), fps: int = 30) -> None:
        super().__init__()
        self.device = device
        self._want_size = size
        self._want_fps = fps
        self._capture: cv2.VideoCapture | None = None

    @property
    def device_path(self) -> Path:
        return Path(self.device) if isinstance(self.device, str) else Path(f"/dev/video{self.device}")

    @staticmethod
    def available(index: int = 0, sysfs: Path = Path("/sys/class/video4linux")) -> bool:
        """True when ``/dev/videoN`` is a camera this user may open (not a Pi ISP or codec node)."""
        path = Path(f"/dev/video{index}")
        if not (path.exists() and os.access(path, os.R_OK | os.W_OK)):
            return False
        try:
            driver = (sysfs / f"video{index}" / "name").read_text().strip().lower()
        except OSError:
            driver = ""
        return not any(driver.startswith(prefix) for prefix in PI_INTERNAL_NODES)

    def _open(self) -> None:
        path = self.device_path
        if not path.exists():
            raise CameraError(f"{path}: no such camera; plug in a USB webcam or use --source sample")
        capture = cv2.VideoCapture(str(path) if isinstance(self.device, str) else self.device, cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"{path}: cannot open camera (in use by another program, or no permission: "
                              "add the user to the 'video' group)")
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._want_size[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._want_size[1])
        capture.set(cv2.CAP_PROP_FPS, self._want_fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture = capture
        self._size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self._fps = float(capture.get(cv2.CAP_PROP_FPS) or self._want_fps)
        if self._size != self._want_size:
            self._size = self._want_size  # frames are resized to what the pipeline asked for

    def _close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _read(self) -> np.ndarray:
        assert self._capture is not None
        ok, bgr = self._capture.read()
        if not ok or bgr is None:
            raise CameraError(f"{self.device_path}: camera stopped delivering frames (unplugged?)")
        if (bgr.shape[1], bgr.shape[0]) != self._size:
            bgr = cv2.resize(bgr, self._size, interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
