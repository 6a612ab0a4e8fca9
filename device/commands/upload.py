"""``magicbooth upload [--once]``: drain the upload queue (``magicbooth-upload.service`` runs it without --once)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from magicbooth.commands import Context
from magicbooth.core.errors import ConfigError, StoreUnavailableError, UploadError
from magicbooth.service.last_good import load_resilient, remember
from magicbooth.upload.queue import UploadQueue

HELP = "upload finished clips to the configured S3 store (--once: one pass, then exit)"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true",
                        help="try every queued clip once and exit: 0 all uploaded, 1 some failed or must wait "
                             "for the store (see the status printed)")
    parser.add_argument("--retry-failed", action="store_true",
                        help="put clips that failed (e.g. a file that did not match its sidecar) back in the queue")
    parser.add_argument("--status", action="store_true", help="print the queue's status and exit")


def run(args: argparse.Namespace, ctx: Context) -> int:
    # A bad edit must not stop recorded clips from uploading: fall back to the last good copy.
    try:
        cfg = ctx.config
    except ConfigError:
        cfg, _error = load_resilient(ctx.config_path)   # logs the error and which copy is used
    else:
        remember(cfg)
    if not cfg.upload.enabled:
        raise UploadError(f"{cfg.source}: uploading is off; set [upload] endpoint and bucket "
                          f"(see 'magicbooth config --default')")
    queue = UploadQueue(cfg)
    try:
        if args.status:
            print("\n".join(queue.status().lines()))
            return 0
        if args.retry_failed:
            log.info("re-queued %d failed clips", queue.retry_failed())
        return _once(queue) if args.once else _forever(queue)
    finally:
        queue.close()


def _once(queue: UploadQueue) -> int:
    try:
        result = queue.run_once()
    except StoreUnavailableError as exc:
        log.warning("%s", exc)
        print("\n".join(queue.status().lines()))
        return 1
    print("\n".join(queue.status().lines()))
    return 1 if result.remaining or result.failed else 0


def _forever(queue: UploadQueue) -> int:
    done = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on %s", signal.Signals(signum).name)
        done.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop)
    queue.start()
    done.wait()
    queue.stop(timeout=60)
    return 0
