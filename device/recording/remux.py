"""Copy a clip's video packets into a new, ordinary MP4, optionally with an AAC track.

Used when a clip is finalised with audio, and by recovery, which copies
everything that still demuxes out of a cut-off fragmented file.

Usage::

    stats = remux(Path("cut.mp4"), Path("fixed.mp4"))
    stats.frames, stats.duration_s      # what still played
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from magicbooth.core.errors import RecorderError

AAC_FRAME = 1024


@dataclass(frozen=True)
class RemuxStats:
    """What was copied: video packets and the span of their timestamps."""

    frames: int
    duration_s: float
    metadata: dict[str, str]


def remux(src: Path, dst: Path, samples: np.ndarray | None = None, sample_rate: int = 48000,
          bitrate_kbps: int = 128) -> RemuxStats:
    """Write ``dst`` with the video packets of ``src`` and, if given, ``samples`` (2, n) as AAC.

    Stops quietly at the first packet that cannot be read: a file cut off by a
    crash keeps everything before that point.
    """
    frames, first, last, step = 0, None, None, 0.0
    try:
        with av.open(str(src)) as source, av.open(str(dst), "w", format="mp4",
                                                  options={"movflags": "+faststart"}) as out:
            vin = source.streams.video[0]
            vout = out.add_stream_from_template(vin)
            audio: deque[av.Packet] = deque()
            if samples is not None:
                aout = out.add_stream("aac", rate=sample_rate, layout="stereo")
                aout.bit_rate = bitrate_kbps * 1000
                audio = _aac_packets(aout, samples, sample_rate)
            metadata = dict(source.metadata)
            for packet in _readable(source, vin):
                t = float(packet.dts * vin.time_base)
                while audio and _dts_seconds(audio[0]) <= t:
                    out.mux(audio.popleft())
                if last is not None:
                    step = t - last
                first = t if first is None else first
                last = t
                packet.stream = vout
                out.mux(packet)
                frames += 1
            while audio:
                out.mux(audio.popleft())
    except (av.FFmpegError, IndexError) as exc:
        raise RecorderError(f"{src}: cannot copy the clip to {dst}: {exc}") from exc
    duration = (last - first + step) if first is not None and last is not None else 0.0
    return RemuxStats(frames, round(duration, 3), metadata)


def _readable(source: av.container.InputContainer, stream: av.video.stream.VideoStream):
    """Video packets with timestamps, up to the first that cannot be read."""
    try:
        for packet in source.demux(stream):
            if packet.dts is not None and packet.size:
                yield packet
    except (av.FFmpegError, OSError):
        return


def _dts_seconds(packet: av.Packet) -> float:
    assert packet.dts is not None, "an encoder's packets carry a timestamp"
    return float(packet.dts * packet.time_base)


def _aac_packets(stream: av.audio.stream.AudioStream, samples: np.ndarray, sample_rate: int) -> deque[av.Packet]:
    packets: deque[av.Packet] = deque()
    data = np.ascontiguousarray(np.clip(samples, -1.0, 1.0).astype(np.float32))
    for start in range(0, data.shape[1], AAC_FRAME):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[:, start:start + AAC_FRAME]),
                                           format="fltp", layout="stereo")
        frame.sample_rate = sample_rate
        frame.pts = start
        frame.time_base = Fraction(1, sample_rate)
        packets.extend(stream.encode(frame))
    packets.extend(stream.encode(None))
    return packets
