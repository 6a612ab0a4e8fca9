"""``magicbooth record``: one clip now, without the booth UI (for scripts and cron)."""

from __future__ import annotations

import argparse
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager

from magicbooth.camera import open_source
from magicbooth.commands import Context
from magicbooth.commands.run import stop_on_signals
from magicbooth.core.config import Config
from magicbooth.library.clips import Clip
from magicbooth.library.paths import clips_root
from magicbooth.pipeline.effect_chain import EffectChain
from magicbooth.pipeline.flow import Pipeline
from magicbooth.recording.recorder import Recorder, RecordSink

HELP = "record one clip now from the camera (or a file) into the clip library, without the UI"

log = logging.getLogger("magicbooth.record")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=_positive, default=10.0, help="seconds to record after the pre-roll "
                        "(default 10; the clip also ends at [recorder] max_clip_s)")
    parser.add_argument("--source", help="auto | picamera2 | webcam[:N] | /dev/videoN | sample | FILE "
                        "(default: [camera] source)")
    parser.add_argument("--effect", help="effect to burn into the clip (default: none)")
    parser.add_argument("--pre-roll", type=_non_negative, dest="pre_roll",
                        help="seconds of frames before the clip's start to include (default: [recorder] pre_roll_s)")


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text}: expected a number of seconds above 0")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: expected a number of seconds, 0 or more")
    return value


def run(args: argparse.Namespace, ctx: Context) -> int:
    config = ctx.config
    pre_roll = config.recorder.pre_roll_s if args.pre_roll is None else args.pre_roll
    if pre_roll > config.recorder.pre_roll_s:
        config = config.replace("recorder", pre_roll_s=pre_roll)
    effect = args.effect or "none"
    source = open_source(args.source, config)
    chain = EffectChain(config, effect, live=source.is_live)
    pipeline = Pipeline(source, stages=chain.stages, max_backoff_s=config.camera.reopen_max_backoff_s)
    with stop_on_signals() as stop, source, upload_queue(config) as when_saved:
        fps = round(source.fps) or config.camera.fps
        # The recorder opens (recovery, encoder probe) before capture starts, so no frame waits on it.
        with Recorder(config, source.size, fps, effect="" if effect == "none" else effect, live=pipeline.live,
                      when_saved=when_saved) as recorder:
            sink = RecordSink(recorder, live=pipeline.live)
            pipeline.sinks.append(sink)
            pipeline.start()
            chain.start()
            try:
                saved = _record(pipeline, recorder, sink, pre_roll, args.seconds, stop)
                capture_drops = pipeline.dropped
            finally:
                chain.stop()
                pipeline.stop()
            clip = saved.result(timeout=120)
    meta = clip.meta
    print(f"saved {clip.video} ({meta['duration_s']:.1f} s, {meta['frames']} frames, "
          f"{meta['dropped_frames']} dropped by the encoder, {capture_drops} by capture)")
    return 0


@contextmanager
def upload_queue(config: Config) -> Iterator[Callable[[Clip], None] | None]:
    """The upload queue's ``enqueue`` when ``[upload]`` is configured (``magicbooth upload`` drains it)."""
    if not config.upload.enabled:
        yield None
        return
    from magicbooth.upload.queue import UploadQueue

    queue = UploadQueue(config, clips_root=clips_root(config))
    try:
        yield queue.enqueue
    finally:
        queue.close()


def _record(pipeline: Pipeline, recorder: Recorder, sink: RecordSink, pre_roll: float, seconds: float,
            stop: threading.Event) -> Future[Clip]:
    """Feed frames; start once ``pre_roll`` s of them were seen, end ``seconds`` later (frame time)."""
    first_t = start_t = None
    wall_limit = time.monotonic() + pre_roll + seconds + 30.0  # a stalled camera cannot hang cron
    while not stop.is_set() and time.monotonic() < wall_limit:
        frame = pipeline.next_frame()
        if frame is None:
            if pipeline.exhausted or not pipeline.live:
                break
            continue
        t = sink.time_of(frame)
        first_t = t if first_t is None else first_t
        if start_t is None and t - first_t >= pre_roll - 1e-6:
            recorder.start(pre_roll_s=pre_roll)
            start_t = t
        if start_t is not None and (t - start_t >= seconds - 1e-6 or not recorder.is_recording):
            break
        pipeline.process(frame)
    if start_t is None:
        log.info("the source ended during the pre-roll; recording what there is")
        recorder.start(pre_roll_s=pre_roll)
    return recorder.stop(post_roll_s=0.0)
