"""Per-effect render cost at 640x480, perception excluded, against the issue's targets.

Scenes are the real-photo test scenes (tests/photos.py: faces, meshes and masks from a real
model), so this needs the ``dev`` extra. OpenCV runs single-threaded by default, so the
figures are per-core costs and stay comparable on a busy machine::

    python tools/bench_effects.py                 # table
    python tools/bench_effects.py --json out.json --frames 120 --cv-threads 4
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import cv2
import photos

from magicbooth import effects
from magicbooth.effects.benchmark import Timing, measure

# The worst realistic case per effect: beams firing, full age, a replacement image.
CASES = {
    "sticker": {"design": "bunny"},
    "background": {"mode": "blur"},
    "character": {"character": "ape"},
    "kaiju": {},
    "timemachine": {"duration": "0"},
    "beauty": {},
    "cartoon": {},
    "none": {},
}


def scenes_for(name: str, which: str) -> list:
    sc = photos.scene(which)
    if name == "kaiju":
        sc = photos.with_mouth_opened(sc, 0.3)
    return [sc]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--cv-threads", type=int, default=1, help="OpenCV threads (0 = OpenCV's default)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.cv_threads:
        cv2.setNumThreads(args.cv_threads)
    rows: list[tuple[str, Timing]] = []
    for which in ("astronaut", "grace_hopper", "two"):
        for name, options in CASES.items():
            fx = effects.create(name, options)
            rows.append((which, measure(fx, scenes_for(name, which), frames=args.frames)))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; OpenCV threads {cv2.getNumThreads()}; "
          f"ms per frame at 640x480; 'ok' judges CPU time")
    print(f"{'effect':<12} {'scene':<13} {'wall med':>8} {'wall p90':>8} {'cpu med':>8} {'target':>7}  ok")
    for which, r in rows:
        target = f"{r.target_ms:.0f}" if r.target_ms else "-"
        ok = {True: "yes", False: "NO", None: ""}[r.meets_target]
        print(f"{r.name:<12} {which:<13} {r.median_ms:8.2f} {r.p90_ms:8.2f} {r.cpu_median_ms:8.2f} {target:>7}  {ok}")
    if args.json:
        args.json.write_text(json.dumps([{"scene": w, **asdict(r), "target_ms": r.target_ms,
                                          "meets_target": r.meets_target} for w, r in rows], indent=2))
    return 0 if all(r.meets_target is not False for _, r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
