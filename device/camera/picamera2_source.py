"""A thin adapter over picamera2 (Raspberry Pi camera stack, from apt).

Kept deliberately small because it cannot be tested off a Pi: everything it
does is one documented picamera2 call, and ``tests/fakes/picamera2.py``
implements exactly those calls.

Colour order: picamera2's ``"BGR888"`` format is laid out R, G, B in memory,
so it arrives as an RGB numpy array with no conversion (``"RGB888"`` would
arrive as BGR). The low-resolution stream is YUV420 on a Pi 4 (the ISP cannot
give RGB there), so it is converted with one OpenCV call; its rows keep the
ISP's padding to 64 bytes, which is cut off after the conversion.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

import cv2
import numpy as np

from magicbooth.camera.base import FrameSource
from magicbooth.core.errors import CameraError

log = logging.getLogger(__name__)


def load_picamera2() -> ModuleType:
    """Import picamera2, or raise CameraError saying how to get it."""
    try:
        return importlib.import_module("picamera2")
    except ImportError as exc:
        raise CameraError("picamera2 is not installed: on Raspberry Pi OS run 'sudo apt install python3-picamera2' "
                          "and create the venv with --system-site-packages (the README's run command does both)"
                          ) from exc


class Picamera2Source(FrameSource):
    """A Pi camera at a fixed size and frame rate, with an optional low-res analysis stream."""

    name = "picamera2"

    def __init__(self, *, size: tuple[int, int] = (640, 480), fps: int = 30, buffer_count: int = 4,
                 analysis_size: tuple[int, int] = (0, 0), timeout_s: float = 2.0, camera_num: int = 0,
                 module: ModuleType | None = None) -> None:
        super().__init__()
        self._want_size = (size[0], size[1])
        self._want_fps = fps
        self._buffers = buffer_count
        self._lores = tuple(analysis_size) if all(analysis_size) else None
        self._timeout = timeout_s
        self._camera_num = camera_num
        self._module = module
        self._camera = None

    @staticmethod
    def available(module: ModuleType | None = None) -> bool:
        """True when picamera2 imports and reports at least one camera."""
        try:
            mod = module or load_picamera2()
            return len(mod.Picamera2.global_camera_info()) > 0
        except Exception:
            return False

    def _open(self) -> None:
        mod = self._module or load_picamera2()
        if not mod.Picamera2.global_camera_info():
            raise CameraError("no Raspberry Pi camera detected: check the ribbon cable and "
                              "'rpicam-hello --list-cameras'")
        try:
            camera = mod.Picamera2(self._camera_num)
        except (RuntimeError, IndexError) as exc:
            raise CameraError(f"Pi camera {self._camera_num} cannot be opened ({exc}); is another program "
                              "(rpicam-*, another magicbooth) using it?") from exc
        try:
            streams = {"main": {"size": self._want_size, "format": "BGR888"}}
            if self._lores:
                streams["lores"] = {"size": self._lores, "format": "YUV420"}
            frame_us = int(1_000_000 / self._want_fps)
            config = camera.create_video_configuration(
                **streams, buffer_count=self._buffers, queue=False,
                controls={"FrameDurationLimits": (frame_us, frame_us)})
            camera.configure(config)
            camera.start()
        except Exception as exc:
            camera.close()
            raise CameraError(f"Pi camera {self._camera_num} refused the configuration "
                              f"{self._want_size[0]}x{self._want_size[1]}@{self._want_fps}: {exc}") from exc
        self._camera = camera
        self._size = self._want_size
        self._fps = float(self._want_fps)

    def _close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is None:
            return
        try:
            camera.stop()
        except Exception as exc:
            log.warning("picamera2 stop failed: %s", exc)
        finally:
            camera.close()

    def _read(self):
        assert self._camera is not None
        names = ["main", "lores"] if self._lores else ["main"]
        try:
            request = self._camera.capture_request(wait=self._timeout)
        except TimeoutError as exc:
            self._camera.cancel_all_and_flush()  # drop the stuck job so close() cannot hang on it
            raise CameraError(f"Pi camera delivered no frame for {self._timeout:g} s (disconnected?)") from exc
        except RuntimeError as exc:
            raise CameraError(f"Pi camera failed: {exc}") from exc
        try:
            arrays = [request.make_array(name) for name in names]
        finally:
            request.release()
        image = np.ascontiguousarray(arrays[0][:, :, :3])
        if not self._lores:
            return image
        return image, lores_rgb(arrays[1], self._lores[0])


def lores_rgb(yuv420: np.ndarray, width: int | None = None) -> np.ndarray:
    """The low-resolution stream's planar YUV420 (h * 3 / 2, stride) as an RGB image ``width`` wide.

    One OpenCV call converts the padded rows too; the padding is cut off after it.
    """
    rgb = cv2.cvtColor(yuv420, cv2.COLOR_YUV2RGB_I420)
    if width is None or width >= rgb.shape[1]:
        return rgb
    return np.ascontiguousarray(rgb[:, :width])
