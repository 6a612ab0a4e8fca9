"""Perception per 640×480 frame in ARM instructions, ours against MediaPipe 0.10.14, on the same frames.

For each CPU (Cortex-A72 = Pi 4, Cortex-A76 = Pi 5) and each configuration it counts our
perception (``tools/arm_count_perception.py``) and MediaPipe's own float pipeline, the legacy
solutions from its aarch64 wheel (``tools/arm_count_mediapipe.py``), inside the emulated Pi OS
of ``../shared/tools/arm64`` (built ``--with-plugins``). Both see the same frames: the sample
clip, or the matting clips (``tools/matting``: a still person, swaying, leaning, waving an arm,
two people, walking closer; needs the models extra to render them). Figures are the **mean**
instructions per frame over the counted frames (work that runs every few frames is spread over
them; the median is printed too), all threads.

    python tools/arm_perception.py [--cpu cortex-a72] [--cpu cortex-a76] [--configs det+seg,mesh]
        [--frames 12] [--clips sample|still,sway,...] [--lores 320x240] [--root CHECKOUT] [--json FILE]
        [--set KEY=VALUE]...

``--root`` counts another checkout's perception (before/after), MediaPipe's figures are shared.
MediaPipe's wheel and its small pure-Python dependencies (protobuf, absl-py, attrs, flatbuffers)
are downloaded once for aarch64 with pip and unpacked into a cache folder; matplotlib, which its
drawing helpers import but nothing here calls, is a stub there.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.arm_markcount import CountError, Counts, count  # noqa: E402

MEDIAPIPE = "0.10.14"
MP_DEPS = ("protobuf>=4.25.3,<5", "absl-py", "attrs>=19.1.0", "flatbuffers>=2.0")
MP_CONFIG = {"det+seg": "det+seg", "mesh": "mesh", "det": "det", "seg": "seg", "det+mesh": "det+mesh"}
CACHE = Path.home() / ".cache" / "magicbooth"


def mediapipe_site() -> Path:
    """A folder holding MediaPipe's aarch64 wheel and its dependencies, unpacked (made once)."""
    site = CACHE / f"arm-site-mediapipe-{MEDIAPIPE}"
    if (site / "mediapipe").is_dir():
        return site
    with tempfile.TemporaryDirectory() as wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", f"mediapipe=={MEDIAPIPE}", *MP_DEPS,
                        "--platform", "manylinux_2_17_aarch64", "--platform", "manylinux2014_aarch64",
                        "--only-binary=:all:", "--python-version", "3.11", "--no-deps", "-d", wheels], check=True)
        partial = site.with_suffix(".partial")
        partial.mkdir(parents=True, exist_ok=True)
        for wheel in sorted(Path(wheels).glob("*.whl")):
            subprocess.run([sys.executable, "-m", "zipfile", "-e", str(wheel), str(partial)], check=True)
        stub = partial / "matplotlib"
        stub.mkdir(exist_ok=True)
        for name in ("__init__.py", "pyplot.py"):
            (stub / name).write_text('"""Stub: MediaPipe\'s drawing helpers import pyplot; nothing plots here."""\n')
        partial.rename(site)
    return site


def clip_frames(names: list[str], per_clip: int, out: Path) -> Path:
    """The matting clips' first ``per_clip`` frames each, one after another, as an .npy file."""
    import numpy as np

    from tools.matting.clips import CLIPS

    frames = []
    for clip in CLIPS:
        if clip.name in names:
            frames += [f.image for _, f in zip(range(per_clip), clip.frames(), strict=False)]
    np.save(out, np.stack(frames))
    return out


def run_ours(config: str, args: argparse.Namespace, root: Path, npy: str | None, cpu: str) -> Counts:
    script = ["/tools/tools/arm_count_perception.py", config, "--frames", str(args.frames), "--root", "/app"]
    script += ["--npy", npy] if npy else []
    script += ["--lores", args.lores] if args.lores else []
    for item in args.set:
        script += ["--set", item]
    binds = [f"{root}:/app", f"{ROOT}:/tools"] + ([f"{Path(npy).parent}:{Path(npy).parent}"] if npy else [])
    return count(script, binds, cpu)


def run_mediapipe(config: str, args: argparse.Namespace, npy: str | None, cpu: str) -> Counts:
    script = ["/tools/tools/arm_count_mediapipe.py", MP_CONFIG[config], "--frames", str(args.frames),
              "--site", "/mpsite"] + (["--npy", npy] if npy else [])
    binds = [f"{ROOT}:/tools", f"{mediapipe_site()}:/mpsite"] + ([f"{Path(npy).parent}:{Path(npy).parent}"]
                                                                  if npy else [])
    return count(script, binds, cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", action="append", default=[], help="cortex-a72 (default) and/or cortex-a76")
    parser.add_argument("--configs", default="det+seg,mesh", help="comma-separated: det, seg, mesh, det+seg, det+mesh")
    parser.add_argument("--frames", type=int, default=15, help="frames counted per clip (after 2 warm-up frames; 15 "
                        "is a whole number of detect_every periods)")
    parser.add_argument("--clips", default="sample", help="sample, or matting clip names (still,sway,lean,arm,two,"
                        "approach), or 'matting' for all of them")
    parser.add_argument("--lores", default="", metavar="WxH", help="give our perception picamera2's low-resolution "
                        "stream (MediaPipe gets the frame as it is)")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose perception is counted")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a [perception] option")
    parser.add_argument("--no-mediapipe", action="store_true", help="count ours only")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    cpus = args.cpu or ["cortex-a72"]
    configs = [c for c in args.configs.split(",") if c]
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="magicbooth-arm-frames-") as tmp:
        npy = None
        clips = [c for c in args.clips.split(",") if c]
        if clips != ["sample"]:
            from tools.matting.clips import CLIPS

            names = [c.name for c in CLIPS] if clips == ["matting"] else clips
            npy = str(clip_frames(names, args.frames + 2, Path(tmp) / "frames.npy"))
            args.frames = (args.frames + 2) * len(names) - 2
        for cpu in cpus:
            for config in configs:
                try:
                    ours = run_ours(config, args, args.root.resolve(), npy, cpu)
                    peer = None if args.no_mediapipe else run_mediapipe(config, args, npy, cpu)
                except CountError as exc:
                    print(f"arm_perception: {config} on {cpu}: {exc}", file=sys.stderr)
                    return 1
                row = {"cpu": cpu, "config": config, "ours": ours.summary(), "ours_said": ours.output.splitlines()[-1],
                       "mediapipe": peer.summary() if peer else None,
                       "ratio": round(ours.mean / peer.mean, 3) if peer else None}
                results.append(row)
                ratio = f"{ours.mean / peer.mean:.2f}" if peer else "–"
                print(f"{cpu} {config}: ours {ours.mean / 1e6:.1f} M (median {ours.median / 1e6:.1f} M), MediaPipe "
                      f"{peer.mean / 1e6 if peer else float('nan'):.1f} M, ratio {ratio}\n  {row['ours_said']}",
                      flush=True)
    print(f"\n{args.clips}, {args.frames} frames, lores {args.lores or 'none'}, root {args.root}")
    print("| CPU | config | ours, M instructions (mean / median) | MediaPipe 0.10.14 float | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for row in results:
        ours_s, peer_s = row["ours"], row["mediapipe"]
        assert isinstance(ours_s, dict)
        peer_text = f"{peer_s['mean'] / 1e6:.1f}" if isinstance(peer_s, dict) else "–"
        print(f"| {row['cpu']} | {row['config']} | {ours_s['mean'] / 1e6:.1f} / {ours_s['median'] / 1e6:.1f} | "
              f"{peer_text} | {row['ratio'] if row['ratio'] is not None else '–'} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"clips": args.clips, "frames": args.frames, "lores": args.lores,
                                               "root": str(args.root), "set": args.set, "rows": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
