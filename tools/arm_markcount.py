"""Run a guest script under the emulated Pi OS's instruction counter and read every marker pair.

``../shared/tools/arm64/markrun.sh`` prints only the median of the marked pairs. Perception that
skips work on some frames (a detector every few frames, a mask kept while the picture is still)
needs the mean as well: the median of 12 frames with two detections is a frame without one.
This runs the same plugin (``run.sh --plugin markcount``) with markrun's environment and the
same guest protocol (tags 3 and 4 back to back for the marker's own cost, then 10+2i before and
11+2i after each thing measured), and reports every pair.

    python tools/arm_markcount.py [--cpu cortex-a72] [-b HOST:GUEST]... [--json] [--said FILE] -- SCRIPT.py [ARGS]

As a library: ``count(script_args, binds, cpu)`` returns a ``Counts`` (pairs, mean, median).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ARM = Path(os.environ.get("ARM64_TOOLS", "/work/shared/tools/arm64"))
MARK = re.compile(r"markcount: mark tag=(\d+) vcpu=\d+ thread_insns=\d+ all_insns=(\d+)")


class CountError(RuntimeError):
    """The guest failed or left no marker pairs."""


@dataclass(frozen=True)
class Counts:
    """Instructions (all threads) of each marked pair, the marker's own cost taken off."""

    pairs: tuple[int, ...]
    output: str  # the guest's own output, without the plugin's lines

    @property
    def mean(self) -> float:
        return statistics.fmean(self.pairs)

    @property
    def median(self) -> float:
        return float(statistics.median(self.pairs))

    def summary(self) -> dict[str, object]:
        return {"pairs": len(self.pairs), "mean": round(self.mean), "median": round(self.median),
                "min": min(self.pairs), "max": max(self.pairs), "each": list(self.pairs)}


def parse(log: str) -> Counts:
    """Pairs from a markcount log (the last mark of each tag wins, as in markrun.sh)."""
    marks: dict[int, int] = {}
    for line in log.splitlines():
        found = MARK.match(line)
        if found:
            marks[int(found[1])] = int(found[2])
    overhead = marks[4] - marks[3] if 3 in marks and 4 in marks else 0
    pairs, i = [], 0
    while 10 + 2 * i in marks and 11 + 2 * i in marks:
        pairs.append(marks[11 + 2 * i] - marks[10 + 2 * i] - overhead)
        i += 1
    output = "\n".join(line for line in log.splitlines() if not line.startswith("markcount"))
    if not pairs:
        raise CountError("no marker pairs seen; the guest said:\n" + "\n".join(output.splitlines()[-8:]))
    return Counts(tuple(pairs), output)


def count(script_args: list[str], binds: list[str], cpu: str = "cortex-a72", venv: str = "/opt/venv") -> Counts:
    """Run ``python SCRIPT ARGS`` in the guest under markcount and return its pairs."""
    command = [str(ARM / "run.sh"), "--cpu", cpu, "-e", "OPENBLAS_NUM_THREADS=1", "-e", "PYTHONHASHSEED=0"]
    for bind in binds:
        command += ["-b", bind]
    command += ["--plugin", "markcount", "--", f"{venv}/bin/python", *script_args]
    with tempfile.TemporaryFile("w+") as log:
        done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, text=True, check=False)
        log.seek(0)
        text = log.read()
    if done.returncode != 0:
        raise CountError(f"guest exited {done.returncode}:\n" + "\n".join(text.splitlines()[-8:]))
    return parse(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", default="cortex-a72", help="cortex-a72 (Pi 4) or cortex-a76 (Pi 5)")
    parser.add_argument("-b", dest="binds", action="append", default=[], metavar="HOST:GUEST", help="bind a folder")
    parser.add_argument("--venv", default="/opt/venv", help="the guest's venv")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--said", metavar="FILE", help="write the guest's own output to FILE")
    parser.add_argument("script", nargs=argparse.REMAINDER, help="-- SCRIPT.py [ARGS]")
    args = parser.parse_args()
    script = args.script[1:] if args.script[:1] == ["--"] else args.script
    if not script:
        parser.error("no guest script given")
    try:
        counts = count(script, args.binds, args.cpu, args.venv)
    except CountError as exc:
        print(f"arm_markcount: {exc}", file=sys.stderr)
        return 1
    if args.said:
        Path(args.said).write_text(counts.output + "\n")
    if args.json:
        print(json.dumps({"cpu": args.cpu, **counts.summary()}))
    else:
        print("\n".join(counts.output.splitlines()[-3:]))
        print(f"pairs {len(counts.pairs)}  all-threads instructions: mean {counts.mean:,.0f}  median "
              f"{counts.median:,.0f}  min {min(counts.pairs):,}  max {max(counts.pairs):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
