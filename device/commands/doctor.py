"""``magicbooth doctor``: what this machine has, as a pass/fail table with a fix for each failure."""

from __future__ import annotations

import argparse

from magicbooth.commands import Context
from magicbooth.doctor import run_checks

HELP = ("check camera, display, disk, devices, GPIO, models, upload target, thermals; print a fix for each failure")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--as-service", nargs="?", const="auto", metavar="UNIT",
                        help="run the checks inside the installed service's sandbox (user, groups, DeviceAllow=) "
                             "via systemd-run; UNIT defaults to the enabled magicbooth unit")
    parser.add_argument("--print-command", action="store_true", help="with --as-service: print, do not run")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.as_service:
        return _as_service(args, ctx)
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


def _as_service(args: argparse.Namespace, ctx: Context) -> int:
    import shlex
    import subprocess
    from pathlib import Path

    from magicbooth.commands.install_service import UNIT_DIR, executable
    from magicbooth.core.errors import MagicboothError
    from magicbooth.service.sandbox import as_service_command

    if args.as_service == "auto":
        installed = [Path("/etc/systemd/system") / n for n in ("magicbooth.service", "magicbooth-headless.service")]
        unit = next((p for p in installed if p.is_file()), UNIT_DIR / "magicbooth.service")
    else:
        unit = Path(args.as_service)
    if not unit.is_file():
        raise MagicboothError(f"{unit}: no such unit file; run 'magicbooth install-service' first")
    argv = [str(executable())] + (["--config", ctx.config_path] if ctx.config_path else []) + ["doctor"]
    command = as_service_command(unit, argv + (["--json"] if args.json else []))
    if args.print_command:
        print(shlex.join(command))
        return 0
    return subprocess.run(command, check=False).returncode
