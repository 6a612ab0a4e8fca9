"""``magicbooth doctor``: what this machine has, as a pass/fail table with a fix for each failure."""

from __future__ import annotations

import argparse

from device.checks import run_checks
from device.commands import Context

HELP = "check camera, display, disk and runtime versions; print a fix for each failure"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args: argparse.Namespace, ctx: Context) -> int:
    results = run_checks(ctx.config)
    if args.json:
        import json

        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        width = max(len(r.name) for r in results)
        for r in results:
            print(f"{r.status:4}  {r.name:<{width}}  {r.detail}")
            if not r.ok and r.fix:
                print(f"{'':4}  {'':<{width}}  fix: {r.fix}")
    return 0 if all(r.ok or r.status == "warn" for r in results) else 1
