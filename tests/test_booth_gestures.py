"""The booth driven by hand gestures alone: rendered hands before the camera, the real hand models and encoder."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pygame
from _modes_support import ManualClock, open_recorder
from hand_clips import background, hand_picture
from test_booth import CATALOG, config

from magicbooth.core.frames import Frame
from magicbooth.modes.booth import Booth
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.sinks import RecordSink

SIZE = (640, 480)


class HandCamera:
    """A camera that shows whichever rendered picture the test holds up (``showing``), at 15 fps media time."""

    is_live = True
    fps = 15.0
    size = SIZE

    def __init__(self) -> None:
        self.pictures = {"nobody": background(SIZE)}
        for pose in ("open_palm", "thumb_up"):
            self.pictures[pose] = hand_picture(pose, wrist=(320, 400) if pose == "open_palm" else (330, 330))[0]
        self.showing = "nobody"
        self._index = 0

    def open(self) -> HandCamera:
        return self

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "rendered hands"

    def read(self) -> Frame:
        jitter = (self._index % 3) - 1     # a hand is never quite still
        image = np.roll(self.pictures[self.showing], jitter, axis=1)
        frame = Frame(image, self._index / self.fps, self._index)
        self._index += 1
        return frame


def test_a_guest_records_and_keeps_a_clip_with_gestures_alone(tmp_path: Path, screen: pygame.Surface) -> None:
    cfg = config(gestures=True, countdown_s=1, max_record_s=1.0)
    camera = HandCamera()
    recorder = open_recorder(cfg, tmp_path / "clips", size=SIZE, fps=15)
    pipeline = build_pipeline(cfg, source=lambda: camera, effects=("none", "red"), live=False, catalog=CATALOG)
    pipeline.add_sink(RecordSink(recorder, watermark=pipeline.watermark))
    pipeline.start()
    clock = ManualClock()
    kept: list[Path] = []
    booth = Booth(cfg, pipeline, recorder, screen, when_kept=kept.append, clock=clock)
    assert booth.gestures is not None

    def until(condition, timeout: float = 30.0, seconds: float = 0.05) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out in state {booth.state}"
            assert booth.step()
            clock.advance(seconds)
            time.sleep(0.01)    # let the hand watcher's thread keep up, as a live camera's pace would

    try:
        for _ in range(20):
            booth.step()
        assert booth.state == "attract" and booth.gestures.is_watching
        camera.showing = "open_palm"
        until(lambda: booth.state != "attract")
        assert booth.state == "countdown"
        assert not booth.gestures.is_watching          # no hands while counting down or recording
        camera.showing = "nobody"
        until(lambda: booth.state == "recording")
        assert not booth.gestures.is_watching
        until(lambda: booth.state == "review" and booth.clip is not None)
        assert booth.gestures.is_watching
        camera.showing = "thumb_up"
        until(lambda: booth.state != "review")
        assert booth.state == "saved" and len(kept) == 1 and kept[0].is_file()
    finally:
        booth.hand_on_saved()
        pipeline.stop()
        recorder.close()
    assert not booth.gestures.is_watching
