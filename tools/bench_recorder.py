#!/usr/bin/env python3
"""Benchmark the clip recorder on this machine; every comparison is a ratio inside one run.

Measures, on frames of the bundled sample clip (a real face):
1. libx264 encode cost per frame at 640x480 and 1280x720 (CPU ms, all threads; and wall ms),
   RGB->YUV conversion included, and that conversion alone: OpenCV against FFmpeg's swscale;
2. the container's cost: muxing the same packets into a plain MP4, a fragmented MP4 and the
   recorder's crash-safe writer (hybrid fragmented + fsync per fragment), as ratios to plain;
   and the pre-roll's cost: the ring buffer per packet, plus the encoding that has to run
   between clips (the real price of a pre-roll of encoded packets);
3. seconds lost at ``kill -9``: a subprocess records in real time and is killed mid-fragment;
   the partial is decoded and compared with the time recorded (plain MP4 for reference).

    python tools/bench_recorder.py [--quick] [--json out.json]

Pi CPU cost (ARM instruction counts in the emulated rootfs): see tools/arm64_encode_count.py.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from magicbooth.camera import sample_path  # noqa: E402
from magicbooth.core.config import RecorderConfig  # noqa: E402
from magicbooth.recording.clip_writer import FRAGMENTED, ClipWriter, best_movflags  # noqa: E402
from magicbooth.recording.encoder import VideoEncoder, to_i420  # noqa: E402
from magicbooth.recording.pre_roll import PacketRing  # noqa: E402

FPS = 30


def sample_frames(size: tuple[int, int], count: int) -> list[np.ndarray]:
    """``count`` RGB frames of the sample clip at ``size`` (looped if the clip is shorter)."""
    frames: list[np.ndarray] = []
    with av.open(str(sample_path())) as c:
        for frame in c.decode(video=0):
            frames.append(frame.reformat(size[0], size[1], format="rgb24").to_ndarray())
            if len(frames) >= count:
                break
    while len(frames) < count:
        frames += frames[: count - len(frames)]
    return frames


def timed(fn) -> tuple[float, float]:
    """(CPU seconds of the whole process, wall seconds) spent in ``fn()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def bench_encode(size: tuple[int, int], count: int) -> dict:
    frames = sample_frames(size, count)
    enc = VideoEncoder("libx264", size, FPS, RecorderConfig())
    packets: list = enc.encode(frames[0], 0.0)  # warm up (and the first keyframe)
    cpu, wall = timed(lambda: [packets.extend(enc.encode(f, (i + 1) / FPS)) for i, f in enumerate(frames)])
    enc.close()
    size_kb = sum(p.packet.size for p in packets) / 1024
    return {"size": f"{size[0]}x{size[1]}", "frames": count, "cpu_ms_per_frame": 1000 * cpu / count,
            "wall_ms_per_frame": 1000 * wall / count, "kbit_per_s": size_kb * 8 * FPS / count,
            "share_of_one_core_at_30fps": cpu / count * FPS, "packets": packets, "encoder": enc}


def bench_conversion(size: tuple[int, int], count: int) -> dict:
    """RGB -> YUV 4:2:0 per frame: FFmpeg's swscale (via PyAV) against OpenCV (what the encoder uses)."""
    frames = sample_frames(size, count)
    swscale, _ = timed(lambda: [av.VideoFrame.from_ndarray(f, format="rgb24").reformat(format="yuv420p")
                                for f in frames])
    opencv, _ = timed(lambda: [to_i420(f, size) for f in frames])
    return {"swscale_ms": 1000 * swscale / count, "opencv_ms": 1000 * opencv / count,
            "opencv_vs_swscale": opencv / swscale}


def bench_containers(encoded: dict, tmp: Path, repeats: int) -> dict:
    """Mux the same packets into each container; CPU and wall per frame, best of ``repeats``."""
    packets, enc = encoded["packets"], encoded["encoder"]

    def plain() -> None:
        with av.open(str(tmp / "plain.mp4"), "w", format="mp4") as out:
            stream = out.add_stream_from_template(enc.template)
            for item in packets:
                item.packet.stream = stream
                item.packet.pts, item.packet.dts = item.pts, item.dts
                out.mux(item.packet)

    def writer(flags: str, fsync: bool, ring: PacketRing | None) -> None:
        w = ClipWriter(tmp / "frag.mp4", enc.template, flags, fsync_fragments=fsync)
        for item in packets:
            if ring is not None:
                ring.append(item)
            w.write(item)
        w.close()

    cases = {
        "plain_mp4": plain,
        "fragmented_mp4": lambda: writer(FRAGMENTED, False, None),
        "recorder_writer": lambda: writer(best_movflags(), True, None),
        "recorder_writer_with_preroll_ring": lambda: writer(best_movflags(), True, PacketRing(3.0)),
    }
    results = {}
    for name, fn in cases.items():
        best = min((timed(fn) for _ in range(repeats)), key=lambda r: r[1])
        results[name] = {"cpu_ms_per_frame": 1000 * best[0] / len(packets),
                         "wall_ms_per_frame": 1000 * best[1] / len(packets)}
    base = results["plain_mp4"]
    encode_cpu = encoded["cpu_ms_per_frame"]
    for r in results.values():
        r["cpu_vs_plain"] = r["cpu_ms_per_frame"] / base["cpu_ms_per_frame"]
        r["wall_vs_plain"] = r["wall_ms_per_frame"] / base["wall_ms_per_frame"]
        # What matters for the booth: encode + mux per frame, against encode + plain mux.
        r["encode_plus_mux_vs_plain"] = (encode_cpu + r["cpu_ms_per_frame"]) / (encode_cpu + base["cpu_ms_per_frame"])
    return results


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    import numpy as np
    from magicbooth.core.config import Config
    from magicbooth.recording.recorder import Recorder
    from tools.bench_recorder import sample_frames

    root, flags = Path(sys.argv[1]), sys.argv[2]
    frames = sample_frames((640, 480), 90)
    cfg = Config().replace("storage", clips_dir=str(root), min_free_mb=0.0, low_free_mb=0.0)
    rec = Recorder(cfg.replace("recorder", pre_roll_s=0.0), (640, 480), 30, movflags=flags).open()
    rec.start()
    t0 = time.monotonic()
    print("recording", flush=True)
    i = 0
    while True:
        rec.push(frames[i % len(frames)], time.monotonic())
        i += 1
        time.sleep(max(0.0, t0 + i / 30 - time.monotonic()))
""")


def kill_trial(flags: str, seconds: float, tmp: Path) -> dict:
    root = Path(tempfile.mkdtemp(dir=tmp))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(root), flags, str(ROOT)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "recording"
    started = time.monotonic()
    time.sleep(seconds)
    child.send_signal(signal.SIGKILL)
    elapsed = time.monotonic() - started
    child.wait()
    partial = next((root / ".partial").glob("*.mp4"))
    try:
        with av.open(str(partial)) as c:
            decoded = sum(1 for _ in c.decode(video=0))
    except (av.FFmpegError, OSError):
        decoded = 0
    playable = decoded / FPS
    return {"killed_after_s": round(elapsed, 2), "playable_s": round(playable, 2),
            "lost_s": round(elapsed - playable, 2), "bytes": partial.stat().st_size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and one kill per container")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    count = 90 if args.quick else 180
    report: dict = {"machine": os.uname().machine, "cpus": os.cpu_count(), "pyav": av.__version__,
                    "ffmpeg": str(av.ffmpeg_version_info), "movflags": best_movflags()}

    print(f"# recorder benchmark ({report['machine']}, {report['cpus']} CPUs, PyAV {report['pyav']}, "
          f"FFmpeg {report['ffmpeg']})\n")
    print("## libx264 encode (ultrafast, zerolatency, crf 23, keyframe every 1 s)")
    encoded = {}
    for size in ((640, 480), (1280, 720)):
        r = bench_encode(size, count)
        encoded[r["size"]] = r
        print(f"{r['size']:>9}: {r['cpu_ms_per_frame']:6.2f} ms CPU/frame, {r['wall_ms_per_frame']:6.2f} ms "
              f"wall/frame, {r['share_of_one_core_at_30fps'] * 100:5.1f}% of a core at 30 fps, "
              f"{r['kbit_per_s']:.0f} kbit/s")
    report["encode"] = {k: {kk: vv for kk, vv in v.items() if kk not in ("packets", "encoder")}
                        for k, v in encoded.items()}
    conversion = bench_conversion((640, 480), count)
    print(f"RGB->I420 at 640x480 (inside the figures above): OpenCV {conversion['opencv_ms']:.2f} ms, "
          f"swscale {conversion['swscale_ms']:.2f} ms ({conversion['opencv_vs_swscale']:.2f}x)")
    report["conversion"] = conversion

    print("\n## container and pre-roll overhead (same 640x480 packets, best of 5)")
    with tempfile.TemporaryDirectory() as tmp:
        containers = bench_containers(encoded["640x480"], Path(tmp), repeats=3 if args.quick else 5)
    for name, r in containers.items():
        print(f"{name:>34}: {r['cpu_ms_per_frame']:.3f} ms CPU/frame ({r['cpu_vs_plain']:.2f}x plain), "
              f"{r['wall_ms_per_frame']:.3f} ms wall ({r['wall_vs_plain']:.2f}x); encode+mux "
              f"{r['encode_plus_mux_vs_plain']:.3f}x plain")
    idle = encoded["640x480"]["share_of_one_core_at_30fps"]
    print(f"{'pre-roll between clips':>34}: the encoder keeps running: {idle * 100:.1f}% of a core at 30 fps "
          f"(0% with [recorder] pre_roll_s = 0)")
    report["containers"] = containers
    report["preroll_idle_core_share"] = idle

    print("\n## seconds lost at kill -9 (640x480 sample frames, real time)")
    trials = (3.5,) if args.quick else (3.3, 4.6, 5.9)
    kills: dict[str, list] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, flags in (("recorder", best_movflags()), ("fragmented", FRAGMENTED), ("plain", "")):
            kills[label] = [kill_trial(flags, s, Path(tmp)) for s in trials]
            for k in kills[label]:
                print(f"{label:>11}: killed after {k['killed_after_s']:.2f} s -> {k['playable_s']:.2f} s playable, "
                      f"{k['lost_s']:.2f} s lost ({k['bytes'] / 1024:.0f} kB on disk)")
    report["kill9"] = kills
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
