"""Rebuild every model in models_tflite/ from the float originals in the pinned mediapipe wheel.

    python tools/build_models.py                 # all models, written to models_tflite/
    python tools/build_models.py face_landmark   # just one (other manifest entries are kept)
    python tools/build_models.py --check         # rebuild in memory, compare bytes with models_tflite/

Needs the model tools: pip install -e '.[models]'. Same inputs give the same bytes on every run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
from tqdm import tqdm  # noqa: E402

from tools.modelfactory import pipeline, source  # noqa: E402
from tools.modelfactory.equivalence import EquivalenceError  # noqa: E402
from tools.modelfactory.specs import SPECS  # noqa: E402

DEFAULT_OUT = ROOT / "models_tflite"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", choices=[*SPECS, []], metavar="MODEL",
                        help=f"models to build (default: all of {', '.join(SPECS)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: models_tflite/)")
    parser.add_argument("--cache", type=Path, default=source.default_cache(),
                        help="where pip downloads the mediapipe wheel")
    parser.add_argument("--scenes", type=int, default=pipeline.CALIBRATION_SCENES,
                        help="calibration scenes (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="rebuild without writing; exit 1 if any byte differs from --out")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cv2.setNumThreads(1)
    names = args.models or list(SPECS)
    started = time.monotonic()
    say = lambda text: tqdm.write(f"[{time.monotonic() - started:6.1f}s] {text}")  # noqa: E731
    bars: list[tqdm] = []

    def bar(desc: str, total: int):
        for old in bars:
            old.close()
        bars[:] = [tqdm(total=total, desc=desc, unit="step", leave=False)]
        return bars[0].update

    try:
        say(f"fetching {source.WHEEL_FILE}")
        results = pipeline.build(names, args.cache, args.scenes, say, bar)
    except (source.SourceError, EquivalenceError) as exc:
        print(f"build_models: {exc}", file=sys.stderr)
        return 2
    finally:
        for old in bars:
            old.close()
    if args.check:
        return _compare(args.out, results, say)
    pipeline.write_outputs(args.out, results)
    say(f"wrote {len(names)} model(s) and manifest.toml to {args.out}")
    return 0


def _compare(out: Path, results: dict[str, pipeline.Result], say: Callable[[str], None]) -> int:
    differing = []
    for name, result in results.items():
        for suffix, data in (("int8", result.int8), ("float", result.float.reference)):
            path = out / f"{name}_{suffix}.tflite"
            same = path.is_file() and path.read_bytes() == data
            say(f"{path.name}: {'identical' if same else 'DIFFERS'}")
            if not same:
                differing.append(path.name)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
