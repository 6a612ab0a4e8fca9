"""An encoder that falls behind drops frames, never blocks push(), and counts the drops in the sidecar."""

from __future__ import annotations

import time

import numpy as np
from recorder_support import config_for, read_back

from magicbooth.recording.recorder import Recorder


def test_an_encoder_that_falls_behind_gives_counted_drops(tmp_path):
    size = (1280, 720)
    rng = np.random.default_rng(1)
    noise = [rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8) for _ in range(3)]
    cfg = config_for(tmp_path, pre_roll_s=0.0, queue_frames=2, crf=18)
    with Recorder(cfg, size, 30) as rec:
        rec.start()
        slowest = 0.0
        for i in range(40):                     # a burst far faster than 720p noise encodes
            t0 = time.perf_counter()
            rec.push(noise[i % 3], i / 30)
            slowest = max(slowest, time.perf_counter() - t0)
        clip = rec.stop().result(timeout=60)
        total_dropped = rec.dropped_frames

    meta = clip.meta
    assert meta["dropped_frames"] > 0
    assert meta["frames"] == read_back(clip.video)["frames"]
    # Every frame pushed after start() is either in the clip or counted.
    assert meta["frames"] + meta["dropped_frames"] == 40
    assert total_dropped >= meta["dropped_frames"]
    # Drops (not waits) already show push() does not block; this only catches gross stalls (GIL, locks).
    assert slowest < 0.25, f"push() took {slowest * 1000:.0f} ms"
    assert rec.status.dropped_frames == total_dropped
