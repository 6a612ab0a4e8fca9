"""Plain log lines on stderr; journald adds the timestamps under systemd."""

from __future__ import annotations

import logging
import os
import sys


def setup_logging(verbose: bool = False) -> None:
    """Configure the root logger once: INFO by default, DEBUG with --verbose."""
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelname)s %(name)s: %(message)s" if under_journald else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(fmt, datefmt="%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
