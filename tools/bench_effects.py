"""Per-effect render cost at 640x480, perception excluded, against the issue's targets; and flicker.

Scenes are the real-photo test scenes (tests/photos.py: faces, meshes and masks from a real
model), so this needs the ``dev`` extra. OpenCV runs single-threaded by default, so the
figures are per-core costs and stay comparable on a busy machine.

Flicker: each effect renders a still face with sensor noise (perception run on every frame with
tracking, as in the booth) and the bundled sample clip; the table gives the output's
frame-to-frame change over the input's where the effect works (``effect_metrics.flicker``).
Beauty and cartoon must stay at or below 1.0: no more shimmer than the camera picture::

    python tools/bench_effects.py                 # both tables
    python tools/bench_effects.py --json out.json --frames 120 --cv-threads 4 --no-flicker

``--light`` times each effect a second time with ``Effect.light`` set (the quality governor's level
"light"), interleaved with the normal run, and adds the saving; ``--only`` limits the effects::

    python tools/bench_effects.py --light --no-flicker --only kaiju,timemachine,background
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import photos
from effect_metrics import Timing, measure

from magicbooth import effects

# The worst realistic case per effect: beams firing, full age, a replacement image.
CASES = {
    "sticker": {"design": "bunny"},
    "background": {"mode": "blur"},
    "character": {"character": "hopper"},
    "swap": {},
    "kaiju": {},
    "timemachine": {"duration": "0"},
    "beauty": {},
    "cartoon": {},
    "none": {},
}
# Effects whose flicker must not exceed the camera's (issue: beauty and cartoon, temporally stable).
STEADY = ("beauty", "cartoon")


def scenes_for(name: str, which: str) -> list:
    sc = photos.scene(which)
    if name == "kaiju":
        sc = photos.with_mouth_opened(sc, 0.3)
    return [sc]


def flicker_rows(frames: int, cases: dict[str, dict] = CASES, light: bool = False) -> list[dict]:
    """Flicker of every effect on the noisy still face and the sample clip (perception per frame, tracked);
    with ``light`` also of the steady effects' light pictures (named "beauty light" ...)."""
    import gallery
    import gallery_inputs
    from effect_metrics import flicker

    rows = []
    for inp in gallery_inputs.clips(frames):
        if inp.name not in ("still-clip", "sample-clip", "talking-clip"):
            continue
        scenes = gallery.perceive(inp)
        for name, options in cases.items():
            f = flicker(inp.frames, gallery.render(name, options, scenes))
            rows.append({"effect": name, "clip": inp.name, "ratio": f.ratio, "source": f.source, "output": f.output,
                         "area": f.area})
            if light and name in STEADY:
                f = flicker(inp.frames, gallery.render(name, options, scenes, light=True))
                rows.append({"effect": f"{name} light", "clip": inp.name, "ratio": f.ratio, "source": f.source,
                             "output": f.output, "area": f.area})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--cv-threads", type=int, default=1, help="OpenCV threads (0 = OpenCV's default)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--no-flicker", action="store_true", help="timings only")
    parser.add_argument("--flicker-frames", type=int, default=30)
    parser.add_argument("--light", action="store_true", help="also time each effect with light=True")
    parser.add_argument("--only", help="comma-separated effects to time (default: all)")
    args = parser.parse_args(argv)
    cases = CASES if not args.only else {k: CASES[k] for k in args.only.split(",")}
    if args.cv_threads:
        cv2.setNumThreads(args.cv_threads)
    rows: list[tuple[str, Timing]] = []
    lights: dict[tuple[str, str], Timing] = {}
    for which in ("astronaut", "grace_hopper", "two"):
        for name, options in cases.items():
            fx = effects.create(name, options)
            rows.append((which, measure(fx, scenes_for(name, which), frames=args.frames)))
            if args.light:
                fx = effects.create(name, options)
                fx.light = True
                lights[(name, which)] = measure(fx, scenes_for(name, which), frames=args.frames)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; OpenCV threads {cv2.getNumThreads()}; "
          f"ms per frame at 640x480; 'ok' judges CPU time")
    print(f"{'effect':<12} {'scene':<13} {'wall med':>8} {'wall p90':>8} {'cpu med':>8} {'target':>7}  ok")
    for which, r in rows:
        target = f"{r.target_ms:.0f}" if r.target_ms else "-"
        ok = {True: "yes", False: "NO", None: ""}[r.meets_target]
        print(f"{r.name:<12} {which:<13} {r.median_ms:8.2f} {r.p90_ms:8.2f} {r.cpu_median_ms:8.2f} {target:>7}  {ok}")
    if lights:
        print("\nlight (Effect.light = True), CPU ms per frame against the normal run above")
        print(f"{'effect':<12} {'scene':<13} {'normal':>8} {'light':>8} {'saved':>6}")
        for which, r in rows:
            lt = lights.get((r.name, which))
            if lt is not None:
                saved = 1 - lt.cpu_median_ms / r.cpu_median_ms if r.cpu_median_ms > 0 else 0.0
                print(f"{r.name:<12} {which:<13} {r.cpu_median_ms:8.2f} {lt.cpu_median_ms:8.2f} {saved:6.0%}")
    steady = []
    if not args.no_flicker:
        steady = flicker_rows(args.flicker_frames, cases, args.light)
        print(f"\nflicker: output's frame-to-frame change over the input's where the effect works "
              f"({args.flicker_frames} frames; must be <= 1.0 for {', '.join(STEADY)})")
        print(f"{'effect':<12} {'clip':<13} {'ratio':>6} {'input':>6} {'output':>7} {'area':>5}  ok")
        for r in steady:
            ok = ("yes" if r["ratio"] <= 1.0 else "NO") if r["effect"].split()[0] in STEADY else ""
            print(f"{r['effect']:<12} {r['clip']:<13} {r['ratio']:6.2f} {r['source']:6.2f} {r['output']:7.2f} "
                  f"{r['area']:5.0%}  {ok}")
    if args.json:
        args.json.write_text(json.dumps({"timings": [{"scene": w, **asdict(r), "target_ms": r.target_ms,
                                                      "meets_target": r.meets_target} for w, r in rows],
                                         "light": [{"scene": w, **asdict(r)} for (_, w), r in lights.items()],
                                         "flicker": steady}, indent=2))
    timed_ok = all(r.meets_target is not False for _, r in rows)
    steady_ok = all(r["ratio"] <= 1.0 for r in steady if r["effect"].split()[0] in STEADY)
    return 0 if timed_ok and steady_ok else 1


if __name__ == "__main__":
    sys.exit(main())
