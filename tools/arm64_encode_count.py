#!/usr/bin/env python3
"""ARM instructions per recorded frame on a Pi's CPU (run inside the emulated arm64 rootfs).

The rootfs's venv has no PyAV, so unpack the aarch64 wheel of the same version next to it:

    pip download av==18.1.0 --platform manylinux_2_28_aarch64 --python-version 3.11 \\
        --implementation cp --only-binary=:all: --no-deps -d /tmp/rec-arm64/whl
    python3 -m zipfile -e /tmp/rec-arm64/whl/av-*.whl /tmp/rec-arm64/site
    /work/shared/tools/arm64/markrun.sh --cpu cortex-a72 -b /tmp/rec-arm64:/rec -b $PWD:/app -- \\
        /app/tools/arm64_encode_count.py --site /rec/site 640 480 30 recorder

Modes: ``recorder`` (OpenCV RGB->I420, then libx264, as ``magicbooth.recording.encoder`` does),
``swscale`` (PyAV's own RGB->YUV conversion, then libx264), ``convert-cv2`` and
``convert-swscale`` (the conversion alone). libx264 runs with one thread so
counts are comparable; the recorder's settings otherwise (ultrafast, zerolatency, crf 23).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from fractions import Fraction
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "device" / "assets" / "sample.mp4"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", help="folder holding an unpacked aarch64 PyAV wheel")
    parser.add_argument("width", type=int)
    parser.add_argument("height", type=int)
    parser.add_argument("frames", type=int)
    parser.add_argument("mode", choices=("recorder", "swscale", "convert-cv2", "convert-swscale"))
    args = parser.parse_args()
    if args.site:
        sys.path.insert(0, args.site)
    import av
    import cv2

    libc = ctypes.CDLL(None)
    libc.syscall.restype = ctypes.c_long

    def mark(tag: int) -> None:
        libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))

    size = (args.width, args.height)
    frames = []
    with av.open(str(SAMPLE)) as c:
        for f in c.decode(video=0):
            frames.append(f.reformat(size[0], size[1], format="rgb24").to_ndarray())
            if len(frames) >= args.frames + 5:
                break
    null = av.open(os.devnull, "w", format="null")
    stream = null.add_stream("libx264", rate=30, options={
        "preset": "ultrafast", "tune": "zerolatency", "crf": "23", "g": "30", "keyint_min": "30",
        "sc_threshold": "0", "forced-idr": "1", "bf": "0", "threads": "1"})
    stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
    stream.codec_context.time_base = Fraction(1, 90000)
    null.start_encoding()

    def convert_cv2(img):
        return av.VideoFrame.from_ndarray(cv2.cvtColor(img, cv2.COLOR_RGB2YUV_I420), format="yuv420p")

    def convert_swscale(img):
        return av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")

    def encode(i, frame):
        frame.pts, frame.time_base = i * 3000, Fraction(1, 90000)
        return stream.encode(frame)

    step = {"recorder": lambda i, img: encode(i, convert_cv2(img)),
            "swscale": lambda i, img: encode(i, av.VideoFrame.from_ndarray(img, format="rgb24")),
            "convert-cv2": lambda i, img: convert_cv2(img),
            "convert-swscale": lambda i, img: convert_swscale(img)}[args.mode]
    for i in range(5):
        step(i, frames[i])
    mark(3)
    mark(4)
    for k in range(args.frames):
        mark(10 + 2 * k)
        step(5 + k, frames[5 + k])
        mark(11 + 2 * k)
    print(f"{args.mode}: {args.frames} frames at {size[0]}x{size[1]}, PyAV {av.__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
