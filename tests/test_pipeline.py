"""The frame path: offline keeps every frame in order; live drops and counts, never blocking capture."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pygame

from magicbooth.camera import FileSource
from magicbooth.core.config import Config, DisplayConfig
from magicbooth.core.mailbox import Mailbox
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.display import Display
from magicbooth.pipeline.flow import FramePass, Pipeline


def plain(source: FileSource, *, live: bool, sinks: list, stages: tuple = ()) -> Pipeline:
    """The builder's pipeline with no effect, plus test stages in front of the sinks."""
    pipeline = build_pipeline(Config(), source=lambda: source, effects=("none",), live=live, sinks=sinks)
    pipeline.stages.extend(stages)
    return pipeline


class Collect:
    name = "collect"

    def __init__(self) -> None:
        self.indexes: list[int] = []
        self.reds: list[int] = []

    def __call__(self, work: FramePass) -> None:
        self.indexes.append(work.frame.index)
        self.reds.append(int(work.image[:, 100:, 0].mean()))


class Slow:
    name = "slow"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, work: FramePass) -> None:
        time.sleep(self.seconds)


def test_offline_n_frames_in_n_out_in_order(clip: Path) -> None:
    sink = Collect()
    stats = plain(FileSource(clip), sinks=[sink], live=False).run()
    assert sink.indexes == list(range(45))
    assert stats.frames == 45 and stats.dropped == 0
    # frame content matches the order it was encoded in
    assert all(abs(red - (i * 7) % 256) <= 4 for i, red in enumerate(sink.reds))


def test_offline_is_deterministic(clip: Path) -> None:
    runs = []
    for _ in range(2):
        sink = Collect()
        plain(FileSource(clip), sinks=[Slow(0.0), sink], live=False).run()
        runs.append(sink.reds)
    assert runs[0] == runs[1]


def test_live_slow_stage_drops_are_counted_and_capture_never_blocks(clip: Path) -> None:
    source = FileSource(clip, loop=True, realtime=True, fps=100)
    sink = Collect()
    pipeline = plain(source, stages=(Slow(0.05),), sinks=[sink], live=True)
    stats = pipeline.run(max_seconds=1.5)
    captured = pipeline.capture.captured
    processed = stats.frames
    # capture kept its own pace (100 fps) while the loop managed ~20 fps
    assert captured >= 100, captured
    assert processed <= captured / 3, (processed, captured)
    # every frame captured was either processed, dropped, or is the one left in the mailbox
    assert captured - processed - pipeline.dropped in (0, 1)
    assert stats.dropped == pipeline.dropped > 0
    assert stats.stage_ms["slow"] >= 45


def test_timings_and_fps_exposed(clip: Path) -> None:
    pipeline = plain(FileSource(clip, loop=True, realtime=True), sinks=[Collect()], live=True)
    stats = pipeline.run(max_frames=20)
    assert 20 <= stats.frames <= 21
    assert 20 < stats.fps < 40
    assert set(stats.stage_ms) == {"perception", "effect", "collect"}
    assert "fps" in stats.summary()


def test_mailbox_keeps_newest_and_counts_drops() -> None:
    box: Mailbox[int] = Mailbox()
    for i in range(5):
        box.put(i)
    assert box.get(0) == 4 and box.dropped == 4
    assert box.get(0.01) is None
    box.close()
    assert box.get(None) is None


def test_mailbox_get_wakes_on_put() -> None:
    box: Mailbox[int] = Mailbox()
    threading.Timer(0.05, box.put, args=(7,)).start()
    assert box.get(2.0) == 7


def test_display_window_shows_frames_mirrored(clip: Path) -> None:
    display = Display(DisplayConfig(mode="window", mirror=True, hud=True), hud_text=lambda: ["hud"])
    display.open((160, 120))
    try:
        assert display.is_shown and display.mode == "window"
        stats = plain(FileSource(clip), sinks=[display], live=False).run(max_frames=3)
        assert stats.frames == 3
        screen = pygame.surfarray.array3d(display.screen).transpose(1, 0, 2)
        # the clip's left half is blue; mirrored, the screen's right half is blue
        assert screen[60, 150, 2] > 200 and screen[60, 10, 2] < 60
    finally:
        display.close()


def test_canvas_shares_memory_with_the_working_image() -> None:
    pygame.init()
    image = np.zeros((10, 20, 3), np.uint8)
    from magicbooth.core.frames import Frame

    work = FramePass(frame=Frame(image, 0.0, 0), image=image.copy())
    work.canvas.fill((1, 2, 3))
    assert work.canvas is work.canvas   # made once per frame
    assert tuple(work.image[5, 5]) == (1, 2, 3)
    assert image.max() == 0  # the frame itself is untouched


def test_display_none_opens_nothing() -> None:
    display = Display(DisplayConfig(mode="none")).open((160, 120))
    assert not display.is_shown
