"""Rebuild every model in models_tflite/ from the float originals in the pinned mediapipe wheel.

    python tools/build_models.py                 # all models, written to models_tflite/
    python tools/build_models.py face_landmark   # just one (other manifest entries are kept)
    python tools/build_models.py --check         # rebuild in memory, compare with models_tflite/

Each model gets one int8 graph per CPU class (tools/modelfactory/variants.toml, written by
tools/search_islands.py; a model not searched yet gets its spec's islands for every class).

Needs the model tools: sh tools/bootstrap.sh setup dev (tools/lock/dev.txt). Same inputs give the same
bytes on every run. The shipped files are rebuilt byte for byte where the environment is the one
manifest.toml [build] records: those package versions (the lock installs them) and that class of float
kernels (x86-64 with AVX-512; checked on Intel Sapphire Rapids and AMD EPYC). Elsewhere --check holds
the rebuild to the tolerance in tools/modelfactory/compare.py and says what moved.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
from tqdm import tqdm  # noqa: E402

from tools.modelfactory import compare, manifest, pipeline, source, variants  # noqa: E402
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
    parser.add_argument("--variants", type=Path, default=variants.PATH,
                        help="each CPU class's islands, from tools/search_islands.py (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="rebuild without writing; exit 1 if it differs from --out (bytes in the recorded "
                             "environment, else past the stated tolerance)")
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
        chosen = variants.load(args.variants)
        results = pipeline.build(names, args.cache, args.scenes, say, bar, chosen)
    except (source.SourceError, EquivalenceError) as exc:
        print(f"build_models: {exc}", file=sys.stderr)
        return 2
    finally:
        for old in bars:
            old.close()
    if args.check:
        return _compare(args.out, results, say)
    for note in pipeline.write_outputs(args.out, results, chosen):
        say(note)
    say(f"wrote {len(names)} model(s) and manifest.toml to {args.out}")
    return 0


def _compare(out: Path, results: dict[str, pipeline.Result], say: Callable[[str], None]) -> int:
    recorded = out / "manifest.toml"
    differs = manifest.environment_differences(
        tomllib.loads(recorded.read_text(encoding="utf-8")).get("build", {}) if recorded.is_file() else {})
    if differs:
        say(f"this is not the environment of the shipped models: {'; '.join(differs)}. Bytes may differ; "
            "holding the rebuild to compare.py's tolerance instead")
    failed = []
    for name, result in results.items():
        graphs = [(key, built.int8) for key, built in result.graphs.items()]
        for suffix, data in (*graphs, ("float", result.float.reference)):
            path = out / f"{name}_{suffix}.tflite"
            if not path.is_file():
                say(f"{path.name}: MISSING")
                failed.append(path.name)
                continue
            if not differs:
                same = path.read_bytes() == data
                say(f"{path.name}: {'identical' if same else 'DIFFERS'}")
                if not same:
                    failed.append(path.name)
                continue
            diff = compare.differences(data, path.read_bytes())
            say(f"{path.name}: {diff.describe()}{'' if diff.within_tolerance else ': OUTSIDE TOLERANCE'}")
            if not diff.within_tolerance:
                failed.append(path.name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
