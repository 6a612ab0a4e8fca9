"""Int8 and float latency with XNNPACK on AMX tiles against AVX512-VNNI, side by side (AMX CPUs only).

    python tools/bench_amx.py [--rounds 10] [--per-round 40]

Two worker processes load the same shipped models with 1 thread: one as the
app runs (AMX refused, see ``device/inference/amx.py``), one with ``MAGICBOOTH_XNNPACK_AMX=1``.
The parent alternates short rounds between them so machine noise hits both,
and prints median ms per invoke and the ratios. Permission for AMX is decided
once per process, which is why two processes are needed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from magicbooth.inference.amx import KEEP_ENV, has_amx  # noqa: E402
from magicbooth.inference.cpu import cpu_class  # noqa: E402
from magicbooth.inference.loader import pick, read_manifest  # noqa: E402

WORKER = "--worker"


def worker() -> None:
    """Serve 'name variant count' lines with a JSON list of seconds per invoke."""
    import time

    from magicbooth.inference import amx
    from magicbooth.inference.loader import load_model

    models: dict[tuple[str, str], tuple[Any, np.ndarray]] = {}
    for line in sys.stdin:
        name, variant, count = line.split()
        key = (name, variant)
        if key not in models:
            model = load_model(name, threads=1, variant=variant)
            pixels = np.random.default_rng(0).integers(0, 256, model.input_shape[1:], dtype=np.uint8)
            for _ in range(10):
                model.invoke_rgb(pixels)
            models[key] = (model, pixels)
        model, pixels = models[key]
        times = []
        for _ in range(int(count)):
            start = time.perf_counter()
            model.invoke_rgb(pixels)
            times.append(time.perf_counter() - start)
        print(json.dumps({"times": times, "amx": amx.tile_permission_granted()}), flush=True)


def spawn(keep_amx: bool) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != KEEP_ENV}
    if keep_amx:
        env[KEEP_ENV] = "1"
    return subprocess.Popen([sys.executable, __file__, WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)


def ask(process: subprocess.Popen[str], name: str, variant: str, count: int) -> tuple[list[float], bool]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{name} {variant} {count}\n")
    process.stdin.flush()
    reply = json.loads(process.stdout.readline())
    return reply["times"], reply["amx"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=40)
    args = parser.parse_args(argv)
    if not has_amx():
        print("this CPU has no AMX: XNNPACK cannot use it, nothing to compare", file=sys.stderr)
        return 2
    entries = read_manifest()
    names = sorted({name for name, _ in entries})
    processes = {"refused": spawn(False), "kept": spawn(True)}
    try:
        print(f"{'model':32s} {'float':>7s} {'int8':>7s} {'float AMX':>9s} {'int8 AMX':>8s}  int8/float  "
              "int8 AMX/float  int8 AMX/int8")
        for name in names:
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.rounds):
                for label, process in processes.items():
                    for variant in ("float", "int8"):  # int8: the graph the loader picks for this CPU
                        key = variant if variant == "float" else pick(entries, name, cpu_class())
                        got, granted = ask(process, name, key, args.per_round)
                        if granted != (label == "kept"):
                            raise SystemExit(f"worker '{label}' has AMX permission {granted}: setup is wrong")
                        times.setdefault((label, variant), []).extend(got)
            ms = {key: float(np.median(value)) * 1e3 for key, value in times.items()}
            print(f"{name:32s} {ms[('refused', 'float')]:7.3f} {ms[('refused', 'int8')]:7.3f} "
                  f"{ms[('kept', 'float')]:9.3f} {ms[('kept', 'int8')]:8.3f}  "
                  f"{ms[('refused', 'int8')] / ms[('refused', 'float')]:10.2f}  "
                  f"{ms[('kept', 'int8')] / ms[('kept', 'float')]:14.2f}  "
                  f"{ms[('kept', 'int8')] / ms[('refused', 'int8')]:13.2f}")
    finally:
        for process in processes.values():
            process.kill()
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == [WORKER]:
        worker()
    else:
        sys.exit(main())
