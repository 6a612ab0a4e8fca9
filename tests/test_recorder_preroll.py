"""Pre-roll: frames pushed before start() are in the clip, starting at a keyframe."""

from __future__ import annotations

import pytest
from recorder_support import FPS, SIZE, config_for, push_paced, read_back

from magicbooth.recording.encoder import EncodedPacket
from magicbooth.recording.pre_roll import PacketRing
from magicbooth.recording.recorder import Recorder


@pytest.mark.parametrize("pre_roll", [1.0, 2.0])
def test_frames_before_start_are_in_the_clip_from_a_keyframe(tmp_path, pre_roll):
    cfg = config_for(tmp_path, pre_roll_s=3.0, keyframe_interval_s=1.0)
    with Recorder(cfg, SIZE, FPS) as rec:
        push_paced(rec, 0, 100)             # 3.3 s before start; keyframes at 0, 30, 60, 90
        rec.start(pre_roll_s=pre_roll)
        push_paced(rec, 100, 30)
        clip = rec.stop().result(timeout=20)

    got = read_back(clip.video)
    first = got["indices"][0]
    assert got["keyframes"][0]
    assert first % 30 == 0                                   # a keyframe of the continuous stream
    assert 99 - first >= pre_roll * FPS - 1                  # at least the asked-for pre-roll...
    assert 99 - first < (pre_roll + 1.0) * FPS               # ...and less than one GOP more
    assert got["indices"] == list(range(first, 130))          # then every frame, in order
    assert clip.meta["pre_roll_s"] == pytest.approx((99 - first) / FPS, abs=0.01)


def test_two_clips_can_share_pre_roll_packets(tmp_path):
    """A packet written into one clip keeps its own timestamps for the next clip."""
    cfg = config_for(tmp_path, pre_roll_s=2.0)
    with Recorder(cfg, SIZE, FPS) as rec:
        push_paced(rec, 0, 40)
        rec.start()
        push_paced(rec, 40, 20)
        first = rec.stop().result(timeout=20)
        rec.start()
        push_paced(rec, 60, 20)
        second = rec.stop().result(timeout=20)
    a, b = read_back(first.video), read_back(second.video)
    assert a["indices"] == list(range(0, 60))
    assert b["indices"][0] in (0, 30) and b["indices"] == list(range(b["indices"][0], 80))
    assert b["duration_s"] == pytest.approx(b["frames"] / FPS, abs=0.04)


def _packet(t: float, key: bool) -> EncodedPacket:
    return EncodedPacket(None, round(t * 90000), round(t * 90000), t, key)  # type: ignore[arg-type]


def test_ring_keeps_whole_gops_covering_its_seconds():
    ring = PacketRing(seconds=1.5)
    for i in range(120):                       # 4 s at 30 fps, keyframe every 30 frames
        ring.append(_packet(i / 30, i % 30 == 0))
    items = ring.since(float("-inf"))
    assert items[0].keyframe and items[0].t == pytest.approx(2.0)   # 3.967 - 1.5 = 2.47 -> keyframe at 2.0
    assert ring.span_s >= 1.5
    assert ring.since(3.5)[0].t == pytest.approx(3.0)
    assert ring.newest_t == pytest.approx(119 / 30)


def test_start_right_after_the_first_pushes_records_the_whole_take(tmp_path) -> None:
    """A press straight after boot: start() while the encoder has not yet seen the first frames."""
    import numpy as np

    from magicbooth.core.config import Config
    from magicbooth.recording.recorder import Recorder

    black = np.zeros((120, 160, 3), np.uint8)
    for trial in range(3):
        with Recorder(Config(), (160, 120), 30, root=tmp_path / str(trial), live=False) as rec:
            rec.push(black, 0.0)
            rec.push(black, 1 / 30)
            rec.start(0.5)
            for i in range(2, 40):
                rec.push(black, i / 30)
            clip = rec.stop(0).result(timeout=60)
        assert clip.meta["stop_reason"] == "stop" and clip.meta["frames"] == 40, clip.meta
