"""Recording with the real libx264 encoder, read back with PyAV."""

from __future__ import annotations

import hashlib
import json

import pytest
from recorder_support import FPS, SIZE, config_for, numbered, push_paced, read_back

from magicbooth.core.errors import RecorderError
from magicbooth.library.clips import iter_clips
from magicbooth.recording.encoder import choose_encoder
from magicbooth.recording.recorder import Recorder


def test_frames_read_back_with_codec_fps_duration_and_matching_sidecar(tmp_path):
    saved = []
    cfg = config_for(tmp_path, pre_roll_s=0.0)
    with Recorder(cfg, SIZE, FPS, effect="plain", when_saved=saved.append) as rec:
        assert rec.encoder_name == "libx264"  # no V4L2 M2M device on a test machine
        rec.start()
        push_paced(rec, 0, 60)
        clip = rec.stop().result(timeout=20)

    got = read_back(clip.video)
    assert got["codec"] == "h264"
    assert got["frames"] == 60
    assert got["fps"] == pytest.approx(30, abs=0.01)
    assert got["duration_s"] == pytest.approx(2.0, abs=0.04)
    assert got["indices"] == list(range(60))
    assert got["keyframes"][0]

    meta = json.loads(clip.sidecar.read_text())
    assert meta["frames"] == 60 and meta["dropped_frames"] == 0
    assert meta["duration_s"] == pytest.approx(2.0, abs=0.04)
    assert meta["sha256"] == hashlib.sha256(clip.video.read_bytes()).hexdigest()
    assert meta["size_bytes"] == clip.video.stat().st_size
    assert meta["effect"] == "plain" and meta["upload_state"] == "off"
    assert clip.video.parent.name == meta["started_at"][:10]
    assert saved == [clip]
    assert [c.id for c in iter_clips(tmp_path)] == [clip.id]
    assert not list((tmp_path / ".partial").iterdir())


def test_timestamps_come_from_frames_not_from_the_clock(tmp_path):
    """Frames pushed in a burst, stamped 1/10 s apart, make a 10 fps clip of the right length."""
    cfg = config_for(tmp_path, pre_roll_s=0.0, queue_frames=100)
    with Recorder(cfg, SIZE, 10) as rec:
        rec.start()
        for i in range(20):
            rec.push(numbered(i), 100.0 + i / 10)
        clip = rec.stop().result(timeout=20)
    got = read_back(clip.video)
    assert got["frames"] == 20
    assert got["duration_s"] == pytest.approx(2.0, abs=0.05)


def test_post_roll_and_max_clip_length(tmp_path):
    cfg = config_for(tmp_path, pre_roll_s=0.0, max_clip_s=1.0)
    with Recorder(cfg, SIZE, FPS) as rec:
        rec.start()
        push_paced(rec, 0, 10)
        future = rec.stop(post_roll_s=0.5)
        push_paced(rec, 10, 40)
        clip = future.result(timeout=20)
        assert not rec.is_recording

        rec.start()
        push_paced(rec, 50, 45)           # 1.5 s: cut at max_clip_s
        long_clip = rec.stop().result(timeout=20)

    # 10 frames, then 0.5 s of post-roll: frames with t <= 9/30 + 0.5
    assert read_back(clip.video)["indices"] == list(range(0, 25))
    assert clip.meta["stop_reason"] == "stop"
    assert long_clip.meta["stop_reason"] == "max_length"
    assert read_back(long_clip.video)["frames"] == 30


def test_start_and_stop_misuse_is_a_clear_error(tmp_path):
    with Recorder(config_for(tmp_path), SIZE, FPS) as rec:
        with pytest.raises(RecorderError, match="not recording"):
            rec.stop()
        rec.start()
        with pytest.raises(RecorderError, match="already recording"):
            rec.start()
        push_paced(rec, 0, 5)
        rec.stop().result(timeout=20)
    with pytest.raises(RecorderError, match="not open"):
        Recorder(config_for(tmp_path), SIZE, FPS).start()


def test_forced_encoder_that_is_missing_fails_with_one_clear_line():
    with pytest.raises(RecorderError, match=r"h264_v4l2m2m.*\[recorder\] encoder"):
        choose_encoder("h264_v4l2m2m", SIZE, FPS)


def test_an_encoder_without_a_global_header_still_gives_an_avcc_header(tmp_path):
    """Hardware encoders may keep SPS/PPS in-band only; the muxer must still write them into the MP4."""
    import av

    from magicbooth.core.config import RecorderConfig
    from magicbooth.recording.clip_writer import ClipWriter
    from magicbooth.recording.encoder import VideoEncoder

    enc = VideoEncoder("libx264", SIZE, FPS, RecorderConfig(), global_header=False)
    assert not enc.template.codec_context.extradata
    writer = ClipWriter(tmp_path / "c.mp4", enc.template)
    for i in range(45):
        for item in enc.encode(numbered(i), i / FPS):
            writer.write(item)
    writer.close()
    enc.close()
    with av.open(str(tmp_path / "c.mp4")) as c:
        avcc = bytes(c.streams.video[0].codec_context.extradata or b"")
    assert avcc[:1] == b"\x01" and len(avcc) > 10          # an avcC record with the parameter sets
    assert read_back(tmp_path / "c.mp4")["indices"] == list(range(45))
