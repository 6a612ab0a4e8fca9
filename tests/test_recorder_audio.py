"""Audio in clips: the bundled music (trimmed, faded out), a music file from config, a microphone."""

from __future__ import annotations

import time
import wave

import av
import numpy as np
import pytest
from recorder_support import FPS, SIZE, config_for, numbered, push_paced, read_back

from magicbooth.core.errors import ConfigError
from magicbooth.recording.audio import BUNDLED_MUSIC, load_music
from magicbooth.recording.recorder import Recorder


def audio_of(path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        rate = stream.rate
        chunks = [f.to_ndarray().reshape(stream.channels, -1) if f.format.is_planar
                  else f.to_ndarray().reshape(-1, stream.channels).T for f in c.decode(stream)]
    return np.concatenate(chunks, axis=1), rate


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def test_bundled_music_is_muxed_as_aac_trimmed_to_the_clip_and_faded_out(tmp_path):
    assert BUNDLED_MUSIC.is_file(), "run tools/make_music.py"
    cfg = config_for(tmp_path, pre_roll_s=0.0).replace("audio", music="bundled", fade_out_s=1.0)
    with Recorder(cfg, SIZE, FPS) as rec:
        rec.start()
        push_paced(rec, 0, 75)                        # 2.5 s
        clip = rec.stop().result(timeout=30)
    got = read_back(clip.video)
    assert got["frames"] == 75 and got["indices"] == list(range(75))
    assert len(got["audio"]) == 1
    codec, duration = got["audio"][0]
    assert codec == "aac"
    assert duration == pytest.approx(2.5, abs=0.05)
    samples, rate = audio_of(clip.video)
    assert samples.shape[1] / rate == pytest.approx(2.5, abs=0.05)
    body, tail = samples[:, : rate], samples[:, -rate // 10:]
    assert rms(body) > 0.05                           # music is there...
    assert rms(tail) < rms(body) * 0.2                # ...and fades out at the end
    assert clip.meta["audio"] == "music"


def test_a_short_music_file_loops_to_the_clip_length(tmp_path):
    song = tmp_path / "beep.wav"
    t = np.arange(12000) / 24000
    with wave.open(str(song), "wb") as w:                 # 0.5 s, 24 kHz mono
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24000)
        w.writeframes((np.sin(2 * np.pi * 330 * t) * 12000).astype("<i2").tobytes())
    track = load_music(song, 2.0, 48000, volume=1.0, fade_out_s=0.0)
    assert track.shape == (2, 96000)
    assert rms(track[:, 60000:70000]) > 0.1               # looped, not silence after 0.5 s

    cfg = config_for(tmp_path / "clips", pre_roll_s=0.0).replace("audio", music=str(song), sample_rate=44100)
    with Recorder(cfg, SIZE, FPS) as rec:
        rec.start()
        push_paced(rec, 0, 45)
        clip = rec.stop().result(timeout=30)
    samples, rate = audio_of(clip.video)
    assert rate == 44100
    assert samples.shape[1] / rate == pytest.approx(1.5, abs=0.05)


def test_a_missing_music_file_fails_at_open_with_the_key_named(tmp_path):
    cfg = config_for(tmp_path).replace("audio", music=str(tmp_path / "nope.mp3"))
    with pytest.raises(ConfigError, match=r"\[audio\] music"):
        Recorder(cfg, SIZE, FPS).open()


def test_microphone_audio_is_aligned_with_the_frames(tmp_path):
    """A live 440 Hz source stands in for ALSA: same PyAV input path, real-time pace."""
    mic = "lavfi:sine=frequency=440:sample_rate=48000,arealtime"
    cfg = config_for(tmp_path, pre_roll_s=0.0).replace("audio", mic=mic, mic_volume=1.0)
    with Recorder(cfg, SIZE, FPS) as rec:
        time.sleep(0.3)                                   # let the source run
        rec.start()
        t0 = time.monotonic()
        for i in range(36):                               # 1.2 s in real time, stamped with the real clock
            rec.push(numbered(i), time.monotonic())
            time.sleep(max(0.0, t0 + (i + 1) / FPS - time.monotonic()))
        clip = rec.stop().result(timeout=30)
    assert clip.meta["audio"] == "mic"
    samples, rate = audio_of(clip.video)
    assert samples.shape[1] / rate == pytest.approx(clip.meta["duration_s"], abs=0.06)
    spectrum = np.abs(np.fft.rfft(samples[0, rate // 10: rate]))
    peak_hz = np.argmax(spectrum) * rate / (2 * (spectrum.size - 1))
    assert peak_hz == pytest.approx(440, abs=5)
