"""Choose, per model and CPU class, which ops the int8 graph keeps float32; write tools/modelfactory/variants.toml.

    python tools/search_islands.py                   # every model (about 20 min on 2 cores, counts cached)
    python tools/search_islands.py face_landmark     # one model; the others' choices are kept
    python tools/search_islands.py --recount         # keep the choices; rebuild and recount their graphs
    python tools/build_models.py                     # then build what it chose

For each CPU class (arm: no int8 dot product, counted as Cortex-A72; arm_dotprod: counted as Cortex-A76) the
cheapest int8 graph by ARM instruction count that keeps the accuracy floor on the tuning split: each task's
targets, or where the spec's hand-chosen islands miss one there, their value (tools/modelfactory/search.py).
x86-64 gets whichever of the two graphs runs faster here. Same inputs, same choice: counts are deterministic
and cached by model sha256 in ~/.cache/magicbooth/arm-counts.json, so a repeat counts nothing.

Needs the model tools (sh tools/bootstrap.sh setup dev) and the shared arm64 emulation with its markcount
plugin ($ARM64_TOOLS, default shared/tools/arm64 beside a parent folder of this checkout).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
from tqdm import tqdm  # noqa: E402

from tools.modelfactory import armcount, choose, datasets, pipeline, source, variants  # noqa: E402
from tools.modelfactory.specs import SPECS  # noqa: E402

TUNING_SCENES = 240  # 120 (80 detector faces) let the repair fit noise: the selfie Cortex-A76 graph met its floor on
# tuning (0.923) and gave held-out mask IoU 0.888 against the hand islands' 0.919; with 240 it gave 0.926


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", choices=[*SPECS, []], metavar="MODEL",
                        help=f"models to search (default: all of {', '.join(SPECS)})")
    parser.add_argument("--cache", type=Path, default=source.default_cache(), help="mediapipe wheel cache")
    parser.add_argument("--scenes", type=int, default=pipeline.CALIBRATION_SCENES, help="calibration scenes")
    parser.add_argument("--tuning", type=int, default=TUNING_SCENES, help="tuning scenes (default: %(default)s)")
    parser.add_argument("--arm64", type=Path, default=armcount.default_tools(),
                        help="the shared arm64 emulation (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=variants.PATH, help="where to write (default: %(default)s)")
    parser.add_argument("--recount", action="store_true",
                        help="no search: rebuild the recorded graphs, count them again and give each class the "
                             "cheapest recorded one on its core (after a change to how graphs are made or run)")
    args = parser.parse_args(argv)
    counter = armcount.Counter.find(args.arm64)
    if counter is None:
        print(f"search_islands: no arm64 emulation at {args.arm64} (run.sh missing); set ARM64_TOOLS or --arm64",
              file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    names = args.models or list(SPECS)
    started = time.monotonic()
    say = lambda text: tqdm.write(f"[{time.monotonic() - started:6.1f}s] {text}")  # noqa: E731
    try:
        floats = pipeline.load_floats(args.cache, sorted(set(names) | set(pipeline.SCENE_MODELS)))
    except source.SourceError as exc:
        print(f"search_islands: {exc}", file=sys.stderr)
        return 2
    if args.recount:
        chosen = variants.load(args.out)
        for name in [n for n in names if n not in chosen]:
            say(f"{name}: never searched: its spec's islands are recorded with their counts")
            chosen[name] = choose.unsearched(SPECS[name])
        built = pipeline.build(names, args.cache, args.scenes, say, chosen=chosen)
        for name in names:
            chosen[name] = choose.recount(chosen[name], built[name].graphs, counter, lambda t, n=name: say(f"{n} {t}"),
                                          built[name].float.reference)
            variants.write(chosen, args.out)
            for line in table(name, chosen[name]):
                say(line)
        say(f"wrote {args.out}; now run python tools/build_models.py")
        return 0
    say(f"calibration set ({args.scenes} scenes) and tuning set ({args.tuning} scenes)")
    calibration = pipeline.calibration_set(floats, args.scenes, lambda _: None)
    tuning = datasets.build("tuning", args.tuning, {n: b.reference for n, b in floats.items()})
    chosen = variants.load(args.out)
    for name in names:
        found = choose.choose(SPECS[name], floats[name], calibration.inputs[name], tuning.inputs[name], counter,
                              say)
        chosen[name] = found
        variants.write(chosen, args.out)
        for line in table(name, found):
            say(line)
    say(f"wrote {args.out}; now run python tools/build_models.py")
    return 0


def table(name: str, found: variants.ModelVariants) -> list[str]:
    """One line per class: int8/float on its core, the other core, accuracy, what is float."""
    lines = []
    for cls, variant in found.classes.items():
        ratios = ", ".join(f"{core} {variant.instructions[core] / found.float_instructions[core]:.3f}"
                           for core in variant.instructions if found.float_instructions.get(core))
        accuracy = ", ".join(f"{k} {v:.4g}" for k, v in variant.tuning.items())
        lines.append(f"{name} {cls}: int8/float {ratios}; tuning {accuracy}; float {variant.islands.summary}")
    if found.x86_ms:
        lines.append(f"{name} x86_64 runs the {found.x86_64} graph (median ms at 1 thread: "
                     + ", ".join(f"{c} {ms:.3f}" for c, ms in found.x86_ms.items()) + ")")
    return lines


if __name__ == "__main__":
    sys.exit(main())
