"""One module per CLI subcommand.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args, ctx) -> int``. Add a module name to ``COMMANDS`` once it works.
"""

from __future__ import annotations

import argparse
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from magicbooth.core.config import Config, load_config

COMMANDS = ("run", "record", "clips", "upload", "config", "doctor", "analyze", "effects", "render", "bench",
            "install-service")


@dataclass
class Context:
    """What every command gets: the --config path, verbosity and a lazily loaded config."""

    config_path: str | None = None
    verbose: bool = False
    _config: Config | None = field(default=None, repr=False)

    @functools.cached_property
    def config(self) -> Config:
        return self._config if self._config is not None else load_config(self.config_path)


def seconds_arg(*, low: float = 0.0, high: float | None = None, above_low: bool = False,
                limit_of: str = "") -> Callable[[str], float]:
    """An argparse ``type`` for a number of seconds: finite (``nan`` passes every ``<`` check) and in range.

    ``limit_of`` names the config key whose limit ``high`` is, so the message blames the flag and says why.
    """
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        fits = math.isfinite(value) and (value > low if above_low else value >= low) and \
            (high is None or value <= high)
        if not fits:
            bound = f"above {low:g}" if above_low else f"from {low:g}"
            bound += f" to {high:g}" if high is not None else ("" if above_low else " up")
            why = f" (the limit of {limit_of})" if limit_of else ""
            raise argparse.ArgumentTypeError(f"{text}: expected a number of seconds {bound}{why}")
        return value
    return parse
