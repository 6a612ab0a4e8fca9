"""Matting benchmark: the person mask against a known alpha, before and after, in one run.

Clips of public-domain people cut-outs moving over held-out backgrounds (``tools/matting``)
go through the segmenter of a baseline git revision ("before") and through today's
perception ("after": mask only as the background effect runs it, with the face detector as
kaiju and time machine run it, and with ``mask_full_guide``). Reported per method: alpha MAE (all pixels, within 10 px
of the true edge, and the interior further away), boundary IoU, the half-transparent band's
width (median over frames), flicker on the still clip, ghosts (pixels the person left two
frames ago still at α ≥ 0.1) and the mask path's milliseconds per frame on this machine.

    python tools/bench_matting.py [--baseline REV] [--json FILE] [--clips still,sway]

Needs the models extra (scikit-image, matplotlib) for the photos.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from magicbooth.core.config import Config  # noqa: E402
from magicbooth.core.frames import Frame  # noqa: E402
from magicbooth.perception import Perception  # noqa: E402
from magicbooth.perception.loading import open_model  # noqa: E402
from tools.matting import metrics  # noqa: E402
from tools.matting.clips import CLIPS  # noqa: E402

BASELINE = "210c205"  # main before the mask issue (segmenter thresholded and feathered at model size)
Method = Callable[[Frame], tuple[np.ndarray, float]]  # frame -> (mask, milliseconds of the mask path)


def baseline_segmenter(rev: str, config: Config) -> Callable[[], Method]:
    """A factory of the segmenter as it was at ``rev`` (its module loaded from git), with its defaults."""
    source = subprocess.run(["git", "show", f"{rev}:device/perception/segmenter.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType("baseline_segmenter")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:segmenter.py", "exec"), module.__dict__)
    model = open_model("landscape", config)

    def make() -> Method:
        segmenter = module.Segmenter(model, module.MaskOptions())

        def method(frame: Frame) -> tuple[np.ndarray, float]:
            started = time.perf_counter()
            mask = segmenter.segment(frame.image)
            return mask, (time.perf_counter() - started) * 1000
        return method
    return make


def perception_method(config: Config, needs: set[str], lores: tuple[int, int] | None = None
                      ) -> Callable[[], Method]:
    def make() -> Method:
        perception = Perception(config, needs)

        def method(frame: Frame) -> tuple[np.ndarray, float]:
            if lores is not None:  # what picamera2's low-resolution stream hands over on a Pi
                frame = Frame(frame.image, frame.t, frame.index,
                              cv2.resize(frame.image, lores, interpolation=cv2.INTER_AREA))
            scene = perception.process(frame)
            model_runs[0] = perception.segmenter.calls if perception.segmenter else 0
            return scene.mask, scene.timings["segment"]  # the mask path alone, not the detector
        model_runs = [0]
        method.model_runs = model_runs  # type: ignore[attr-defined]
        return method
    return make


def run(make: Callable[[], Method], clips: list) -> dict[str, object]:
    per_clip, times, bands, soft = {}, [], [], []
    mae_all, mae_edge, mae_inner, biou = [], [], [], []
    flick, ghost_hit, ghost_all = [], 0, 0
    runs, frames = 0, 0
    for clip in clips:
        method = make()
        truths, preds = [], []
        for i, f in enumerate(clip.frames()):
            mask, ms = method(Frame(f.image, i / 30, i))
            pred = np.asarray(mask, np.float32)
            times.append(ms)
            truths.append(f.alpha)
            preds.append(pred)
        frames += len(preds)
        runs += getattr(method, "model_runs", [len(preds)])[0]
        c_mae, c_edge, c_biou, c_band, c_ghost = [], [], [], [], [0, 0]
        for i, (pred, truth) in enumerate(zip(preds, truths, strict=True)):
            a, e = metrics.mae(pred, truth)
            far = metrics._edge_distance(truth) > 10
            mae_inner.append(float(np.abs(pred - truth)[far].mean()))
            c_mae.append(a)
            c_edge.append(e)
            c_biou.append(metrics.boundary_iou(pred, truth))
            c_band.append(metrics.band_width(pred, truth))
            soft.append(metrics.soft_share(pred))
            if clip.moving and i >= 2:
                hit, total = metrics.ghosts(pred, metrics.ghost_pixels(truths[i - 2], truth))
                c_ghost[0] += hit
                c_ghost[1] += total
        if not clip.moving:
            flick.extend(metrics.flicker(a, b) for a, b in itertools.pairwise(preds[3:]))
        mae_all += c_mae
        mae_edge += c_edge
        biou += c_biou
        bands += c_band
        ghost_hit += c_ghost[0]
        ghost_all += c_ghost[1]
        per_clip[clip.name] = {"mae": float(np.mean(c_mae)), "mae_edge10": float(np.mean(c_edge)),
                               "boundary_iou": float(np.mean(c_biou)), "band_px": float(np.median(c_band)),
                               "ghost_share": c_ghost[0] / c_ghost[1] if c_ghost[1] else None}
    return {
        "mae": float(np.mean(mae_all)), "mae_edge10": float(np.mean(mae_edge)),
        "mae_interior": float(np.mean(mae_inner)), "boundary_iou": float(np.mean(biou)),
        "band_px_median": float(np.median(bands)), "soft_share": float(np.mean(soft)),
        "flicker": float(np.mean(flick)) if flick else None,
        "ghost_share": ghost_hit / ghost_all if ghost_all else None, "ghost_pixels": ghost_all,
        "ms_median": float(np.median(times)), "model_runs": runs / max(frames, 1), "clips": per_clip,
    }


ROWS = (("alpha MAE, all pixels", "mae", "{:.4f}"), ("alpha MAE, ≤10 px from the true edge", "mae_edge10", "{:.4f}"),
        ("alpha MAE, interior (>10 px)", "mae_interior", "{:.4f}"), ("boundary IoU (d = 2 % diagonal)",
        "boundary_iou", "{:.3f}"), ("half-transparent band, median px", "band_px_median", "{:.2f}"),
        ("half-transparent share of the frame", "soft_share", "{:.2%}"), ("flicker, still person",
        "flicker", "{:.4f}"), ("ghosts: left ≥2 frames ago, still α ≥ 0.1", "ghost_share", "{:.2%}"),
        ("mask path ms per frame (x86, 1 thread)", "ms_median", "{:.2f}"),
        ("segmentation model runs per frame", "model_runs", "{:.2f}"))


def table(results: dict[str, dict]) -> str:
    names = list(results)
    lines = ["| measure | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for title, key, fmt in ROWS:
        cells = [fmt.format(results[n][key]) if results[n][key] is not None else "–" for n in names]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    base = results[names[0]]["ms_median"]
    lines.append("| time ratio to " + names[0] + " | " + " | ".join(
        f"{results[n]['ms_median'] / base:.2f}" for n in names) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision whose segmenter is 'before'")
    parser.add_argument("--clips", default="", help="comma-separated clip names (default: all)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a [perception] option for the 'after' runs (repeatable), e.g. mask_gain=2")
    parser.add_argument("--no-baseline", action="store_true", help="leave out the 'before' run")
    parser.add_argument("--lores", default="", metavar="WxH", help="also run 'mask only' with a picamera2-style "
                        "low-resolution stream of this size")
    args = parser.parse_args()
    config = Config().replace("inference", threads=1)
    base = config
    for item in args.set:
        key, _, value = item.partition("=")
        kind = type(getattr(config.perception, key))
        typed = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
        config = config.replace("perception", **{key: typed})
    wanted = set(filter(None, args.clips.split(",")))
    clips = [c for c in CLIPS if not wanted or c.name in wanted]
    methods = {} if args.no_baseline else {f"before ({args.baseline})": baseline_segmenter(args.baseline, base)}
    methods |= {"after, mask only": perception_method(config, {"mask"}),
                "after, with faces": perception_method(config, {"faces", "mask"}),
                "after, mask_full_guide": perception_method(config.replace("perception", mask_full_guide=True),
                                                            {"mask"})}
    if args.lores:
        size = tuple(int(v) for v in args.lores.split("x"))
        methods[f"after, mask only, lores {args.lores}"] = perception_method(config, {"mask"}, size)  # type: ignore
    results = {name: run(make, clips) for name, make in methods.items()}
    print(f"{len(clips)} clips × 30 frames at 640×480: " + ", ".join(c.name for c in clips))
    print(table(results))
    for name, res in results.items():
        print(f"\n{name}, per clip:")
        for clip, vals in res["clips"].items():
            ghost = "–" if vals["ghost_share"] is None else f"{vals['ghost_share']:.1%}"
            print(f"  {clip:9s} MAE {vals['mae']:.4f}  edge {vals['mae_edge10']:.4f}  bIoU "
                  f"{vals['boundary_iou']:.3f}  band {vals['band_px']:.2f} px  ghosts {ghost}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
