"""Write models_tflite/REPORT.md and REPORT.json: int8 against float accuracy, latency, XNNPACK coverage.

    python tools/validate_models.py                    # all models
    python tools/validate_models.py face_landmark      # one model (the report then covers only it)

Needs the model tools: pip install -e '.[models]'. Takes a few minutes; it
measures latency, so run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
from tqdm import tqdm  # noqa: E402

from device.inference import MODELS_DIR, load_model, read_manifest  # noqa: E402
from tools.modelfactory import armcount, datasets, pipeline, render, report, source  # noqa: E402
from tools.modelfactory.images import HELD_OUT_BACKGROUNDS  # noqa: E402
from tools.modelfactory.specs import SPECS  # noqa: E402

HELD_OUT_SCENES = 60
ARM_COUNT = ROOT.parent / "shared" / "tools" / "arm64" / "count.sh"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", choices=[*SPECS, []], metavar="MODEL")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--cache", type=Path, default=source.default_cache(),
                        help="mediapipe wheel cache (for per-layer attribution of misses)")
    parser.add_argument("--scenes", type=int, default=HELD_OUT_SCENES)
    parser.add_argument("--arm-count", type=Path, default=ARM_COUNT if ARM_COUNT.is_file() else None,
                        help="count.sh of the shared arm64 emulation, for Pi instruction counts "
                             "(default: %(default)s; 'none' skips)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    names = args.models or list(SPECS)
    started = time.monotonic()
    say = lambda text: tqdm.write(f"[{time.monotonic() - started:6.1f}s] {text}")  # noqa: E731
    read_manifest(args.models_dir)
    floats = {n: (args.models_dir / f"{n}_float.tflite").read_bytes() for n in SPECS}
    say(f"building {args.scenes} held-out scenes")
    held_out = datasets.build("held_out", args.scenes, floats)
    try:  # the exact float graphs that were quantized, for per-layer attribution and profiles
        floats_built = pipeline.load_floats(args.cache, sorted(set(names) | set(pipeline.SCENE_MODELS)))
        say("rebuilding the calibration set to recover the quantized float graphs")
        calibration = pipeline.calibration_set(floats_built, pipeline.CALIBRATION_SCENES, lambda _: None)
        rewritten = {n: pipeline.equalized(floats_built[n], calibration.inputs[n]) for n in names}
    except source.SourceError as exc:
        say(f"no per-layer attribution: {exc}")
        rewritten = {}
    data = {"command": "python tools/validate_models.py", "machine": report.machine(),
            "held_out": {"scenes": args.scenes, "backgrounds": list(HELD_OUT_BACKGROUNDS),
                         "inputs": {n: len(held_out.inputs[n]) for n in names}},
            "latency_invokes": report.LATENCY_ROUNDS * report.LATENCY_PER_ROUND, "models": {}}
    for name in tqdm(names, desc="models", leave=False):
        load = lambda variant, threads, n=name: load_model(n, threads=threads, models_dir=args.models_dir,  # noqa: E731
                                                          variant=variant)
        int8_bytes = (args.models_dir / f"{name}_int8.tflite").read_bytes()
        data["models"][name] = report.evaluate(name, load, int8_bytes, held_out, rewritten.get(name), say)
        if args.arm_count is not None and str(args.arm_count) != "none":
            say(f"{name}: ARM instruction counts")
            data["models"][name]["arm_instructions"] = {
                cpu: {variant: armcount.count(args.arm_count, args.models_dir / f"{name}_{variant}.tflite", cpu)
                      for variant in ("float", "int8")} for cpu in armcount.CPUS}
        met = sum(c["met"] for c in data["models"][name]["targets"])
        say(f"{name}: {met}/{len(data['models'][name]['targets'])} targets met")
    (args.models_dir / "REPORT.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (args.models_dir / "REPORT.md").write_text(render.markdown(data), encoding="utf-8")
    say(f"wrote {args.models_dir / 'REPORT.md'} and REPORT.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
