"""``magicbooth record``: one clip now, without the booth UI (for scripts and cron)."""

from __future__ import annotations

import argparse
import logging
import threading
import time
from concurrent.futures import Future

from magicbooth.commands import Context
from magicbooth.commands.run import stop_on_signals
from magicbooth.core.errors import CameraError
from magicbooth.effects.plain import Plain
from magicbooth.library.clips import Clip
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.flow import Pipeline
from magicbooth.pipeline.sinks import RecordSink
from magicbooth.recording.recorder import Recorder
from magicbooth.upload.queue import queue_for_kept_clips

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
    effect = args.effect or Plain.name
    pipeline = build_pipeline(config, source=args.source, effects=(effect,))
    with stop_on_signals() as stop, queue_for_kept_clips(config) as when_saved:
        pipeline.start()
        try:
            fps = round(pipeline.source.fps) or config.camera.fps
            # The recorder opens (recovery, encoder probe) before frames flow to it, so none waits on it.
            with Recorder(config, pipeline.source.size, fps, effect="" if effect == Plain.name else effect,
                          live=pipeline.live, when_saved=when_saved) as recorder:
                sink = RecordSink(recorder, live=pipeline.live, watermark=pipeline.watermark)
                pipeline.add_sink(sink)
                saved = _record(pipeline, recorder, sink, pre_roll, args.seconds, stop)
                capture_drops = pipeline.dropped
                pipeline.stop()
                clip = saved.result(timeout=120)
        finally:
            pipeline.stop()
    meta = clip.meta
    print(f"saved {clip.video} ({meta['duration_s']:.1f} s, {meta['frames']} frames, "
          f"{meta['dropped_frames']} dropped by the encoder, {capture_drops} by capture)")
    return 0


def _record(pipeline: Pipeline, recorder: Recorder, sink: RecordSink, pre_roll: float, seconds: float,
            stop: threading.Event) -> Future[Clip]:
    """Feed frames; start once ``pre_roll`` s of them were seen, end ``seconds`` later (frame time)."""
    first_t = start_t = None
    wall_limit = time.monotonic() + pre_roll + seconds + 30.0  # a stalled camera cannot hang cron
    while not stop.is_set() and time.monotonic() < wall_limit:
        try:
            frame = pipeline.next_frame()
        except CameraError as exc:
            if not pipeline.live:
                raise
            log.debug("no frame: %s", exc)   # the reconnect layer logs each loss once
            continue
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
