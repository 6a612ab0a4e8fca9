"""The ``magicbooth`` console script: parse arguments, dispatch, turn errors into one line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from magicbooth import __version__
from magicbooth.commands import COMMANDS, Context
from magicbooth.core.errors import MagicboothError
from magicbooth.core.log import setup_logging
from magicbooth.core.text import printable

log = logging.getLogger("magicbooth")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one subparser per command module."""
    parser = argparse.ArgumentParser(prog="magicbooth",
                                     description="Magic-expression video booth for the Raspberry Pi.")
    parser.add_argument("--config", metavar="FILE", help="config file (default: $MAGICBOOTH_CONFIG, "
                        "/etc/magicbooth/config.toml, ./magicbooth.toml, built-in defaults)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and full tracebacks")
    parser.add_argument("--version", action="version", version=f"magicbooth {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"magicbooth.commands.{name.replace('-', '_')}")
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(handler=module.run)
    return parser



def main(argv: Sequence[str] | None = None) -> int:
    """Entry point. Returns the exit status: 0 ok, 2 bad input or a known failure."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    if not getattr(args, "handler", None):
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "run"])
    ctx = Context(config_path=args.config, verbose=args.verbose)
    try:
        return int(args.handler(args, ctx) or 0)
    except MagicboothError as exc:
        return _fail(exc, args.verbose)
    except (OSError, ValueError) as exc:
        return _fail(exc, args.verbose)
    except KeyboardInterrupt:
        return 130


def _fail(exc: BaseException, verbose: bool) -> int:
    if verbose:
        log.exception("failed")
    print(f"magicbooth: error: {printable(str(exc))}", file=sys.stderr)   # one line, whatever the input held
    return 2


if __name__ == "__main__":
    sys.exit(main())
