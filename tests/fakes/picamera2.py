"""A fake ``picamera2`` module that follows picamera2's documented API (manual, chapters 4-6).

Only what magicbooth's adapter calls is implemented, with picamera2's
semantics: ``"BGR888"`` arrays are R, G, B in memory and ``"RGB888"`` are
B, G, R; ``"XBGR8888"``/``"XRGB8888"`` add a fourth channel; ``"YUV420"`` is
planar I420 of shape (h * 3 / 2, stride), its rows padded to the stride the
Pi 4's ISP uses (a multiple of 64 bytes; picamera2 leaves that padding in,
Appendix A and ``Helpers.make_array``). ``configure`` fills in each stream's
``stride`` as picamera2 does, and refuses a lores stream larger than main or
not YUV (the Pi 4). ``capture_request(wait=T)`` raises ``TimeoutError`` when no
frame arrives within T seconds, and a second open of the same camera fails like
libcamera's "Device or resource busy".

The test-side knobs live on ``WORLD``: the scene colour, which cameras exist,
and faults to inject (stall, disconnect after N frames).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np


@dataclass
class World:
    """The fake physical world: connected cameras, what they see, and faults."""

    cameras: int = 1
    scene_rgb: tuple[int, int, int] = (200, 30, 10)
    stall: bool = False
    disconnect_after: int | None = None
    in_use: set[int] = field(default_factory=set)
    opened: int = 0
    frames: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.__init__()


WORLD = World()


YUV_STRIDE_ALIGN = 64  # bytes per row of a YUV420 plane, as the Pi 4 ISP aligns them


def _stride(fmt: str, width: int) -> int:
    if fmt in ("YUV420", "YVU420"):
        return -(-width // YUV_STRIDE_ALIGN) * YUV_STRIDE_ALIGN
    return width * (4 if fmt in ("XBGR8888", "XRGB8888") else 3)


def _planes(rgb: np.ndarray, fmt: str) -> np.ndarray:
    if fmt == "BGR888":
        return rgb.copy()
    if fmt == "RGB888":
        return rgb[:, :, ::-1].copy()
    if fmt in ("XBGR8888", "XRGB8888"):
        body = rgb if fmt == "XBGR8888" else rgb[:, :, ::-1]
        return np.dstack([body, np.full(rgb.shape[:2], 255, np.uint8)])
    if fmt == "YUV420":
        import cv2

        h, w = rgb.shape[:2]
        stride = _stride(fmt, w)
        i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).ravel()
        y = i420[:h * w].reshape(h, w)
        u, v = (plane.reshape(h // 2, w // 2) for plane in np.split(i420[h * w:], 2))
        rows = [np.pad(y, ((0, 0), (0, stride - w))),
                *(np.pad(c, ((0, 0), (0, (stride - w) // 2))) for c in (u, v))]
        return np.concatenate([r.ravel() for r in rows]).reshape(h * 3 // 2, stride)
    raise ValueError(f"fake picamera2: unsupported format {fmt}")


class CompletedRequest:
    """A captured request: one array per configured stream; must be released."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._arrays = arrays
        self.released = False

    def make_array(self, name: str) -> np.ndarray:
        if self.released:
            raise RuntimeError("request already released")
        return self._arrays[name]

    def release(self) -> None:
        self.released = True


class Picamera2:
    """The camera object; one per physical camera, exclusive while open."""

    @staticmethod
    def global_camera_info() -> list[dict]:
        return [{"Model": "imx708", "Num": n, "Location": 2, "Id": f"/base/fake/imx708@{n}"}
                for n in range(WORLD.cameras)]

    def __init__(self, camera_num: int = 0) -> None:
        if camera_num >= WORLD.cameras:
            raise IndexError("list index out of range")
        with WORLD.lock:
            if camera_num in WORLD.in_use:
                raise RuntimeError("Failed to acquire camera: Device or resource busy")
            WORLD.in_use.add(camera_num)
            WORLD.opened += 1
        self.camera_num = camera_num
        self.camera_config: dict | None = None
        self.started = False
        self._closed = False

    def create_video_configuration(self, main: dict | None = None, lores: dict | None = None, raw: dict | None = None,
                                   transform=None, colour_space=None, buffer_count: int = 6,
                                   controls: dict | None = None, display: str | None = "main",
                                   encode: str | None = "main", queue: bool = True, sensor: dict | None = None,
                                   use_case: str = "video") -> dict:
        main = {"format": "XBGR8888", "size": (1280, 720), **(main or {})}
        if lores is not None:
            lores = {"format": "YUV420", "size": (320, 240), **lores}
        return {"use_case": use_case, "main": main, "lores": lores, "raw": raw, "buffer_count": buffer_count,
                "controls": dict(controls or {}), "display": display, "encode": encode, "queue": queue}

    def configure(self, camera_config: dict) -> None:
        if self.started:
            raise RuntimeError("Camera must be stopped before configuring")
        lores = camera_config.get("lores")
        if lores is not None:
            (main_w, main_h), (lores_w, lores_h) = camera_config["main"]["size"], lores["size"]
            if lores_w > main_w or lores_h > main_h:
                raise RuntimeError("lores stream dimensions may not exceed main stream")
            if lores["format"] not in ("YUV420", "YVU420"):
                raise RuntimeError("lores stream must be YUV")
        for name in ("main", "lores"):
            stream = camera_config.get(name)
            if stream is not None:
                stream["stride"] = _stride(stream["format"], stream["size"][0])
        self.camera_config = camera_config

    def start(self) -> None:
        if self.camera_config is None:
            raise RuntimeError("Camera has not been configured")
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.started = False
            with WORLD.lock:
                WORLD.in_use.discard(self.camera_num)

    def cancel_all_and_flush(self) -> None:
        """Cancel pending jobs (nothing is queued in the fake)."""

    def capture_request(self, wait: float | None = None, flush=None) -> CompletedRequest:
        if not self.started:
            raise RuntimeError("Camera is not running")
        gone = WORLD.disconnect_after is not None and WORLD.frames >= WORLD.disconnect_after
        if WORLD.stall or gone:
            if wait is None:
                raise AssertionError("fake picamera2: capture would block forever (no wait= given)")
            time.sleep(min(wait, 0.05))
            raise TimeoutError()
        assert self.camera_config is not None
        arrays = {}
        for name in ("main", "lores"):
            stream = self.camera_config.get(name)
            if stream is None:
                continue
            w, h = stream["size"]
            rgb = np.empty((h, w, 3), np.uint8)
            rgb[:] = WORLD.scene_rgb
            arrays[name] = _planes(rgb, stream["format"])
        WORLD.frames += 1
        return CompletedRequest(arrays)
