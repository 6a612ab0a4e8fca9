"""One module per CLI subcommand.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args, ctx) -> int``. Add a module name to ``COMMANDS`` once it works.
"""

from __future__ import annotations

import functools
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
