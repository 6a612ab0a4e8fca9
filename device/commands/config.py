"""``magicbooth config``: print the default config, or check a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from magicbooth.commands import Context
from magicbooth.core.config import default_config_toml, load_config

HELP = "print a complete default config (--default) or validate a file (--check FILE)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--default", action="store_true", help="print every option with its default and a comment")
    group.add_argument("--check", metavar="FILE", help="validate FILE and report the first problem")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.check:
        cfg = load_config(args.check)
        print(f"{cfg.source}: ok")
        return 0
    if args.default:
        print(default_config_toml(), end="")
        return 0
    cfg = ctx.config
    print(f"# in effect: {cfg.source}")
    if cfg.source == "built-in defaults":
        print(default_config_toml(), end="")
    else:
        print(Path(cfg.source).read_text(encoding="utf-8-sig"), end="")
    return 0
