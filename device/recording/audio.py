"""Sound for clips: a music track (trimmed, faded out) and an optional microphone, as AAC.

Audio is added when a clip is finalised, by copying its video packets next to a
freshly encoded AAC track. The video itself was already crash-safe; the music
is deterministic, so recovery can add it again. Microphone audio is captured
live into memory and is lost with a crash (the video is not).

Usage::

    samples = load_music(BUNDLED_MUSIC, duration_s=10.0, sample_rate=48000)   # float32 stereo (2, n)
    remux(partial, muxed, samples, 48000)                                     # recording.remux
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from importlib import resources
from pathlib import Path

import av
import numpy as np

from magicbooth.core.config import AudioConfig
from magicbooth.core.errors import ConfigError, RecorderError

log = logging.getLogger(__name__)

BUNDLED_MUSIC = Path(str(resources.files("magicbooth.assets") / "booth_theme.m4a"))


def music_file(config: AudioConfig) -> Path | None:
    """The configured music file, ``None`` for no music; a missing file is a ConfigError."""
    if config.music in ("", "none"):
        return None
    path = BUNDLED_MUSIC if config.music == "bundled" else Path(config.music).expanduser()
    if not path.is_file():
        fix = ("reinstall magicbooth or run tools/make_music.py" if config.music == "bundled"
               else "point [audio] music at an audio file, or set it to \"bundled\" or \"none\"")
        raise ConfigError(f"[audio] music = \"{config.music}\": {path} not found; {fix}")
    return path


def _to_stereo(frame: av.AudioFrame, resampler: av.AudioResampler) -> list[np.ndarray]:
    return [f.to_ndarray().reshape(2, -1) for f in resampler.resample(frame)]


def load_music(path: Path, duration_s: float, sample_rate: int, volume: float = 1.0,
               fade_out_s: float = 0.0) -> np.ndarray:
    """``duration_s`` of the track as float32 stereo (2, n), looped if short, faded out at the end."""
    n = max(0, round(duration_s * sample_rate))
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sample_rate)
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(audio=0):
                chunks += _to_stereo(frame, resampler)
                if sum(c.shape[1] for c in chunks) >= n:
                    break
            chunks += [f.to_ndarray().reshape(2, -1) for f in resampler.resample(None)]
    except (av.FFmpegError, OSError, IndexError) as exc:
        raise RecorderError(f"{path}: cannot decode the music track: {exc}") from exc
    track = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    if track.shape[1] == 0:
        raise RecorderError(f"{path}: the music track has no audio")
    if track.shape[1] < n:
        track = np.tile(track, (1, n // track.shape[1] + 1))
    track = track[:, :n].astype(np.float32) * volume
    fade = min(n, round(fade_out_s * sample_rate))
    if fade:
        track[:, n - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32) ** 2
    return track


def audio_kind(config: AudioConfig, mic: Microphone | None) -> str:
    """What a clip's sound is made of, for its sidecar: ``none``, ``music``, ``mic`` or ``music+mic``."""
    kinds = [name for name, on in (("music", music_file(config) is not None), ("mic", mic is not None)) if on]
    return "+".join(kinds) or "none"


def soundtrack(config: AudioConfig, t0: float, t1: float, mic: Microphone | None = None) -> np.ndarray:
    """The sound for frame times t0..t1: the music (trimmed, faded out) mixed with the microphone."""
    rate = config.sample_rate
    mix = np.zeros((2, max(0, round((t1 - t0) * rate))), np.float32)
    track = music_file(config)
    if track is not None:
        mix += load_music(track, t1 - t0, rate, config.music_volume, config.fade_out_s)
    if mic is not None:
        mix += mic.samples(t0, t1) * config.mic_volume
    return mix


class Microphone:
    """Captures a PyAV input (ALSA ``default``, ``hw:1,0``; ``lavfi:GRAPH`` for tests) on a thread.

    Keeps the last ``keep_s`` seconds as int16 stereo chunks stamped with
    ``time.monotonic()``, the clock frames are stamped with.
    """

    def __init__(self, device: str, sample_rate: int, keep_s: float) -> None:
        self.device = device
        self.sample_rate = sample_rate
        self.keep_s = keep_s
        self._chunks: deque[tuple[float, np.ndarray]] = deque()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        fmt, name = ("lavfi", device[6:]) if device.startswith("lavfi:") else ("alsa", device)
        try:
            self._container = av.open(name, format=fmt)
        except (av.FFmpegError, OSError) as exc:
            raise RecorderError(f"[audio] mic = \"{device}\": cannot open the microphone: {exc}; "
                                f"list devices with 'arecord -L' or set mic = \"\"") from exc

    def start(self) -> Microphone:
        self._thread = threading.Thread(target=self._run, name="mic", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        resampler = av.AudioResampler(format="s16p", layout="stereo", rate=self.sample_rate)
        try:
            for frame in self._container.decode(audio=0):
                now = time.monotonic()
                for out in resampler.resample(frame):
                    pcm = out.to_ndarray().reshape(2, -1)
                    with self._lock:
                        self._chunks.append((now - pcm.shape[1] / self.sample_rate, pcm))
                        while self._chunks and self._chunks[0][0] < now - self.keep_s:
                            self._chunks.popleft()
                if self.stopping.is_set():
                    break
        except (av.FFmpegError, OSError) as exc:
            self.error = exc
            log.error("microphone %s stopped: %s", self.device, exc)

    def samples(self, t0: float, t1: float) -> np.ndarray:
        """Float32 stereo (2, n) for monotonic times t0..t1; silence where nothing was captured."""
        n = max(0, round((t1 - t0) * self.sample_rate))
        out = np.zeros((2, n), np.float32)
        with self._lock:
            chunks = list(self._chunks)
        for start, pcm in chunks:
            offset = round((start - t0) * self.sample_rate)
            lo, hi = max(0, offset), min(n, offset + pcm.shape[1])
            if lo < hi:
                out[:, lo:hi] = pcm[:, lo - offset:hi - offset] / 32768.0
        return out

    def close(self, timeout: float = 2.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._container.close()
