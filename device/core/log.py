"""Plain log lines on stderr; journald adds the timestamps under systemd."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import TextIO


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (it may be swapped, e.g. by tests)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def setup_logging(verbose: bool = False) -> None:
    """Configure the root logger once: INFO by default, DEBUG with --verbose."""
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelname)s %(name)s: %(message)s" if under_journald else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = StderrHandler()
    handler.setFormatter(logging.Formatter(fmt, datefmt="%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        # gpiozero warns once per pin library it could not load; the modes log one clear line instead.
        warnings.filterwarnings("ignore", message="Falling back from", module="gpiozero")
