"""``magicbooth bench``: measure every stage on this device and judge it against the 30 fps budget."""

from __future__ import annotations

import argparse
import json
import os
import sys

from magicbooth.bench import compare, html, summary
from magicbooth.bench.predict import load_arm_counts
from magicbooth.bench.runner import BenchSettings, run_bench
from magicbooth.commands import Context
from magicbooth.core.errors import UsageError
from magicbooth.core.outputs import PendingFile, check_output

HELP = "benchmark this device: models, every stage, the live pipeline while recording; JSON and HTML reports"


def _threads(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        values = ()
    if not values or any(n < 1 or n > 64 for n in values):
        raise argparse.ArgumentTypeError(f"{text!r}: expected thread counts like 1,2,4 (each 1 to 64)")
    return values


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1.0 <= value <= 3600.0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected seconds from 1 to 3600")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute): 1 thread, fewer "
                        "runs, a short end-to-end run")
    parser.add_argument("--threads", type=_threads, metavar="N,N,...",
                        help="thread counts for the model benchmark (default: [bench] threads)")
    parser.add_argument("--seconds", type=_seconds, metavar="N",
                        help="length of the end-to-end run (default: [bench] seconds, 120; --quick 8)")
    parser.add_argument("--source", help="auto | picamera2 | webcam[:N] | /dev/videoN | sample | FILE "
                        "(default: [camera] source)")
    parser.add_argument("--effect", metavar="NAME", help="effect for the end-to-end run (default: the heaviest)")
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON (schema magicbooth.bench/1)")
    parser.add_argument("--html", metavar="FILE", help="write a self-contained HTML report with charts")
    parser.add_argument("--compare", metavar="PREV.json", help="show the changes against an earlier --json report")
    parser.add_argument("--arm-counts", metavar="FILE", help="ARM instruction counts per frame from "
                        "tools/bench_arm.sh: the basis of the Pi 4 prediction (default: scale by one model); also "
                        "adds each model's int8/float instructions per CPU class from the installed manifest")
    parser.add_argument("--levels", action="store_true", help="also with --quick: the end-to-end run at each quality "
                        "level (fps, CPU, and on a Pi 5 joules per recorded minute); a full run always does")
    parser.add_argument("--load-check", nargs="?", type=int, const=0, default=None, metavar="PROCS",
                        help="also let the quality governor decide while PROCS processes (default: one more than "
                             "the cores) each spin at 100 %% for 50 s of a 130 s run: the level should step down, "
                             "the frame rate recover, and the level come back up after the load")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (it goes to stderr)")


def check_report_paths(*targets: str | None) -> None:
    """Fail before a long run if a report could not be written, or would replace the report compared against."""
    for target in targets:
        if target:
            check_output(target)


def write_report(target: str, text: str) -> None:
    """Write a report whole (temporary name, then rename): a failure keeps the previous report."""
    with PendingFile(target) as pending:
        pending.temp.write_text(text, encoding="utf-8")


def run(args: argparse.Namespace, ctx: Context) -> int:
    previous = compare.load_report(args.compare) if args.compare else None
    counts = load_arm_counts(args.arm_counts) if args.arm_counts else None
    check_report_paths(args.json, args.html)
    parts = {"end_to_end", "stages", "models"} | ({"levels"} if args.levels or not args.quick else set())
    procs = 0 if args.load_check is None else args.load_check or (os.cpu_count() or 1) + 1
    if procs < 0 or procs > 64:
        raise UsageError(f"--load-check {args.load_check}: expected 1 to 64 processes")
    settings = BenchSettings(quick=args.quick, seconds=args.seconds, threads=args.threads, source=args.source,
                             effect=args.effect, progress=not args.no_progress and sys.stderr.isatty(),
                             arm_counts=counts, parts=frozenset(parts), load_procs=procs)
    report = run_bench(settings, ctx.config)
    if previous is not None:
        report["compare"] = compare.compare(previous, report, against=str(args.compare))
    if args.json:
        write_report(args.json, json.dumps(report, indent=1) + "\n")
    if args.html:
        write_report(args.html, html.render(report))
    print(summary.render(report))
    for label, target in (("JSON", args.json), ("HTML", args.html)):
        if target:
            print(f"{label} report: {target}")
    return 0
