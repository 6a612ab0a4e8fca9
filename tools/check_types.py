"""Check the layers (import-linter) and the types (mypy) of this checkout's package, as the tests do.

    python tools/check_types.py            # both; exit status 1 if either finds something
    python tools/check_types.py --layers   # only the import-linter contracts
    python tools/check_types.py --types    # only mypy

Both run over a symlink tree staged from pyproject's package-dir (tools/staged_package.py);
their caches live in the temp folder, so a second run takes seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.staged_package import run_import_linter, run_mypy, stage  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--layers", action="store_true", help="only the import-linter contracts")
    only.add_argument("--types", action="store_true", help="only mypy")
    args = parser.parse_args(argv)
    checks = [("import-linter", run_import_linter), ("mypy", run_mypy)]
    if args.layers or args.types:
        checks = checks[:1] if args.layers else checks[1:]
    failed = []
    with tempfile.TemporaryDirectory(prefix="magicbooth-staged-") as tmp:
        staged = stage(Path(tmp))
        for name, run in checks:
            began = time.monotonic()
            result = run(staged)
            print(result.stdout.strip(), result.stderr.strip(), sep="\n" if result.stderr.strip() else "")
            verdict = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
            print(f"== {name}: {verdict} in {time.monotonic() - began:.1f} s\n")
            if result.returncode:
                failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
