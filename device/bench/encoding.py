"""H.264 encoding for the benchmark: encoder fps, and a recording sink for the end-to-end run.

Encodes through PyAV exactly as the recorder does (fragmented MP4, yuv420p,
no B-frames), so the cost measured is the cost the booth pays.
"""

from __future__ import annotations

import logging
import queue
import tempfile
import threading
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from device.bench.measures import Record, measured, not_measured, rounded, summarize
from device.bench.resources import process_cpu_s
from device.errors import WorkerError

log = logging.getLogger(__name__)

ENCODERS = ("libx264", "h264_v4l2m2m")
TIME_BASE = Fraction(1, 90000)


def encoder_available(name: str) -> str | None:
    """``None`` if FFmpeg (inside PyAV) has encoder ``name``, else why not."""
    try:
        av.codec.Codec(name, "w")
    except Exception:
        return f"the FFmpeg inside PyAV {av.__version__} has no {name} encoder"
    if name == "h264_v4l2m2m" and not Path("/dev/video11").exists():
        return "no V4L2 memory-to-memory encoder device (/dev/video11; only a Raspberry Pi 4 has one)"
    return None


class H264Writer:
    """One fragmented-MP4 H.264 file written frame by frame."""

    def __init__(self, path: Path, codec: str, size: tuple[int, int], fps: int) -> None:
        self.container = av.open(str(path), mode="w", format="mp4",
                                 options={"movflags": "frag_keyframe+empty_moov+default_base_moof"})
        try:
            self.stream = self.container.add_stream(codec, rate=fps)
            self.stream.width, self.stream.height = size
            self.stream.pix_fmt = "yuv420p"
            self.stream.time_base = TIME_BASE
            gop = str(fps)
            if codec == "libx264":
                self.stream.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "23", "g": gop,
                                       "bf": "0"}
            else:
                self.stream.options = {"g": gop, "b": "4000000", "bf": "0"}
            self.stream.codec_context.open()
        except Exception:
            self.container.close()
            raise
        self._t0: float | None = None

    def write(self, image: np.ndarray, t: float) -> None:
        if self._t0 is None:
            self._t0 = t
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = round((t - self._t0) / TIME_BASE)
        frame.time_base = TIME_BASE
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        try:
            for packet in self.stream.encode():
                self.container.mux(packet)
        finally:
            self.container.close()


def benchmark_encoder(codec: str, images: Sequence[np.ndarray], fps: int) -> Record:
    """Encode ``images`` as fast as possible; fps, ms per frame and CPU ms per frame."""
    missing = encoder_available(codec)
    if missing:
        return not_measured(missing, name=f"encode {codec}", kind="encoder")
    h, w = images[0].shape[:2]
    with tempfile.TemporaryDirectory(prefix="magicbooth-bench-") as tmp:
        try:
            writer = H264Writer(Path(tmp) / "bench.mp4", codec, (w, h), fps)
        except Exception as exc:
            return not_measured(f"{codec} would not open: {exc}", name=f"encode {codec}", kind="encoder")
        samples = []
        cpu0, wall0 = process_cpu_s(), time.perf_counter()
        try:
            for i, image in enumerate(images):
                began = time.perf_counter()
                writer.write(image, i / fps)
                samples.append((time.perf_counter() - began) * 1000.0)
        finally:
            writer.close()
        wall, cpu = time.perf_counter() - wall0, process_cpu_s() - cpu0
        size = (Path(tmp) / "bench.mp4").stat().st_size
    return measured(name=f"encode {codec}", kind="encoder", ms=summarize(samples), samples_ms=rounded(samples),
                    fps=round(len(images) / wall, 2), cpu_ms_per_frame=round(1000.0 * cpu / len(images), 3),
                    detail=f"{w}x{h}, {len(images)} frames, {size / len(images) / 1024:.1f} KiB/frame, "
                           "fps includes the final flush")


class RecordingSink:
    """A pipeline sink that records H.264 on its own thread, like the recorder.

    ``push`` never waits: a full queue counts a dropped frame, so an encoder
    that cannot keep up shows up as drops instead of slowing the loop.
    """

    name = "record"

    def __init__(self, codec: str, size: tuple[int, int], fps: int, directory: Path, queue_size: int = 8) -> None:
        self.codec = codec
        self.path = directory / "bench-recording.mp4"
        self.writer = H264Writer(self.path, codec, size, fps)
        self.encoded = 0
        self.dropped = 0
        self.encode_ms: list[float] = []
        self.stopping = threading.Event()
        self.error: str | None = None
        self._queue: queue.Queue[tuple[np.ndarray, float]] = queue.Queue(maxsize=queue_size)
        self._thread = threading.Thread(target=self._run, name="bench-encoder", daemon=True)
        self._thread.start()

    def __call__(self, work: Any) -> None:
        self.push(work.image, work.frame.t)

    def push(self, image: np.ndarray, t: float) -> None:
        try:
            self._queue.put_nowait((image.copy(), t))
        except queue.Full:
            self.dropped += 1

    def stop(self, timeout: float = 10.0) -> None:
        """Encode what is queued, close the file; raises if the thread will not end."""
        self.stopping.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise WorkerError(f"benchmark encoder did not stop within {timeout:g} s")
        self.writer.close()

    def _run(self) -> None:
        while not (self.stopping.is_set() and self._queue.empty()):
            try:
                image, t = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            began = time.perf_counter()
            try:
                self.writer.write(image, t)
            except Exception as exc:
                self.error = f"{self.codec} failed: {exc}"
                log.exception("benchmark encoder failed")
                return
            self.encode_ms.append((time.perf_counter() - began) * 1000.0)
            self.encoded += 1
