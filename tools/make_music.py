#!/usr/bin/env python3
"""Generate the booth's royalty-free music track, ``device/assets/booth_theme.m4a``.

Everything is synthesised here from a seed (chords, bass, arpeggio, drums), so
the track is the project's own work and ships under the project's licence.
Re-running the script gives the same audio.

    python tools/make_music.py [--seconds 32] [--out device/assets/booth_theme.m4a]
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 44100
BPM = 112
# I - V - vi - IV in C major, as MIDI note numbers of the triads.
CHORDS = [(60, 64, 67), (55, 59, 62), (57, 60, 64), (53, 57, 60)]
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "device" / "assets" / "booth_theme.m4a"


def hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def envelope(n: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-t / decay)


def tone(note: float, seconds: float, *, attack: float = 0.01, decay: float = 0.4,
         harmonics: tuple[float, ...] = (1.0, 0.5, 0.25)) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    wave = sum(a * np.sin(2 * np.pi * hz(note) * (k + 1) * t) for k, a in enumerate(harmonics))
    return (wave * envelope(n, attack, decay)).astype(np.float32)


def kick(seconds: float) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    freq = 50 + 90 * np.exp(-t * 30)
    return (np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t * 9)).astype(np.float32)


def hat(seconds: float, rng: np.random.Generator) -> np.ndarray:
    n = int(seconds * RATE)
    noise = rng.standard_normal(n).astype(np.float32)
    noise = np.diff(noise, prepend=0.0)  # crude high-pass: keep the hiss
    return noise * np.exp(-np.arange(n) / RATE * 60).astype(np.float32) * 0.25


def place(track: np.ndarray, sound: np.ndarray, at_s: float, gain: float, pan: float = 0.0) -> None:
    start = int(at_s * RATE)
    end = min(track.shape[1], start + sound.shape[0])
    if start >= end:
        return
    left, right = (1 - pan) / 2, (1 + pan) / 2
    track[0, start:end] += sound[:end - start] * gain * left * 2
    track[1, start:end] += sound[:end - start] * gain * right * 2


def compose(seconds: float, seed: int = 7) -> np.ndarray:
    """Stereo float32 (2, n): a bright four-chord loop with bass, arpeggio and a light beat."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / BPM
    bar = 4 * beat
    track = np.zeros((2, int(seconds * RATE)), np.float32)
    bars = int(np.ceil(seconds / bar))
    for b in range(bars):
        chord = CHORDS[b % len(CHORDS)]
        start = b * bar
        for note in chord:  # soft pad
            place(track, tone(note, bar, attack=0.08, decay=1.6, harmonics=(1.0, 0.3)), start, 0.06)
        for k in range(4):  # bass on every beat, octave jump on the off-beat
            place(track, tone(chord[0] - 24, beat, decay=0.25), start + k * beat, 0.22)
            place(track, tone(chord[0] - 12, beat / 2, decay=0.12), start + (k + 0.5) * beat, 0.10)
        pattern = [chord[0], chord[1], chord[2], chord[1] + 12, chord[2], chord[1], chord[0] + 12, chord[2]]
        for k, note in enumerate(pattern):  # eighth-note arpeggio, panned a little
            place(track, tone(note + 12, beat / 2, decay=0.18, harmonics=(1.0, 0.2, 0.1)),
                  start + k * beat / 2, 0.08, pan=0.3 if k % 2 else -0.3)
        for k in range(4):
            place(track, kick(0.3), start + k * beat, 0.35)
            place(track, hat(0.08, rng), start + (k + 0.5) * beat, 0.5, pan=0.2)
    fade = int(0.02 * RATE)
    track[:, :fade] *= np.linspace(0, 1, fade, dtype=np.float32)
    peak = float(np.abs(track).max()) or 1.0
    return (track / peak * 0.8).astype(np.float32)


def write_m4a(samples: np.ndarray, out: Path, bitrate_kbps: int = 96) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("aac", rate=RATE, layout="stereo")
        stream.bit_rate = bitrate_kbps * 1000
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]),
                                               format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = start
            frame.time_base = Fraction(1, RATE)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=32.0, help="length; clips loop it if longer")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    write_m4a(compose(args.seconds), args.out)
    print(f"{args.out}: {args.seconds:g} s, {args.out.stat().st_size // 1024} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
