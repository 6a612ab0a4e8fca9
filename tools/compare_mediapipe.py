"""Compare our perception with MediaPipe 0.10.14's legacy solutions on the same frames.

Both pipelines see the same 640×480 RGB frames (the bundled sample clip), in
the same process, back to back per configuration, in rounds that alternate
which side goes first so that machine load hits both alike.
The measure is process CPU time per frame (every thread counts), so a pipeline
cannot look fast by spreading work over cores.

Configurations (ours / MediaPipe's):
  det        faces only          / solutions.face_detection, model 0
  seg        mask only           / solutions.selfie_segmentation, model 1 (landscape)
  mesh       mesh with tracking  / solutions.face_mesh, tracking (static_image_mode=False)
  det+seg    faces and mask      / face_detection + selfie_segmentation
  det+mesh   faces and tracked mesh / face_detection + face_mesh (the same outputs: boxes with
             six keypoints, and meshes; built like det+seg)

``mesh`` is the stricter peer for det+mesh: MediaPipe's face_mesh alone gives
meshes but no face boxes or keypoints, while ours gives both (faces are
derived from the tracked mesh). Both rows are printed.

It also checks that both find the same faces: the same count on every frame,
boxes overlapping (IoU ≥ 0.5) for detection, mesh NME ≤ 0.1 for the mesh.

MediaPipe is an optional, development-only dependency (``pip install
mediapipe==0.10.14``; the ``compare`` extra, x86-64 here). It pulls in
opencv-contrib-python, whose ``cv2`` overwrites opencv-python-headless's in the
same venv; both are OpenCV 4.10+ builds, so the app keeps working, but use a
separate venv if that matters. On a CPU with AMX the app refuses AMX tiles to
XNNPACK (``device/inference/amx.py``); that holds for the whole process, MediaPipe
included, whose float models do not use AMX (``tools/bench_amx.py`` shows float
unchanged). Run:

    python tools/compare_mediapipe.py [--frames 120] [--rounds 3]

The last line is ``ratio det+seg=<r> det+mesh=<r>`` (ours / MediaPipe's);
the exit status is 0 when both ratios are ≤ 0.85 and the faces agree.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from magicbooth.core.config import Config  # noqa: E402
from magicbooth.core.frames import Frame  # noqa: E402
from magicbooth.inference.amx import keep_xnnpack_off_amx  # noqa: E402
from magicbooth.perception import Perception  # noqa: E402
from magicbooth.perception.anchors import iou  # noqa: E402
from magicbooth.perception.loading import open_reference  # noqa: E402

TARGET = 0.85
SETTLE_S = 0.05
SIZE = (640, 480)
CONFIGS = {"det": {"faces"}, "seg": {"mask"}, "mesh": {"mesh"}, "det+seg": {"faces", "mask"},
           "det+mesh": {"faces", "mesh"}}
MP_SOLUTIONS = {"det": ("fd",), "seg": ("ss",), "mesh": ("fm",), "det+seg": ("fd", "ss"),
                "det+mesh": ("fd", "fm")}


@dataclass
class Output:
    """What one pipeline found on one frame: xyxy boxes and meshes (468, 2), pixels."""

    boxes: list[np.ndarray]
    meshes: list[np.ndarray]


def load_frames(count: int) -> list[np.ndarray]:
    """The sample clip's frames (RGB), or astronaut pan/zoom frames if the clip is missing."""
    clip = ROOT / "device" / "assets" / "sample.mp4"
    frames: list[np.ndarray] = []
    if clip.is_file():
        capture = cv2.VideoCapture(str(clip))
        while len(frames) < count:
            ok, bgr = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(cv2.resize(bgr, SIZE), cv2.COLOR_BGR2RGB))
        capture.release()
    if not frames:
        from skimage import data

        photo = data.astronaut()
        for i in range(count):
            t = i / 30
            m = cv2.getRotationMatrix2D((220, 160), 8 * np.sin(t), 1.1 + 0.1 * np.sin(t / 2))
            m[:, 2] += (100 + 40 * np.sin(t / 1.5), 80)
            frames.append(cv2.warpAffine(photo, m, SIZE, borderMode=cv2.BORDER_REFLECT101))
    while len(frames) < count:  # loop a short clip
        frames.append(frames[len(frames) % max(1, len(frames))])
    return frames


def ours(config: Config, needs: set[str], variant: str) -> Callable[[np.ndarray, int], Output]:
    opener = (lambda kind: open_reference(kind, config)) if variant == "float" else None
    perception = Perception(config, needs, opener=opener)

    def run(image: np.ndarray, index: int) -> Output:
        scene = perception.process(Frame(image, index / 30, index))
        boxes = [np.array([f.box[0], f.box[1], f.box[0] + f.box[2], f.box[1] + f.box[3]]) for f in scene.faces]
        return Output(boxes, [m.points[:, :2] for m in scene.meshes])

    return run


def mediapipe_pipeline(names: tuple[str, ...], max_faces: int) -> Callable[[np.ndarray, int], Output]:
    import mediapipe as mp

    solutions = mp.solutions
    built = {}
    if "fd" in names:
        built["fd"] = solutions.face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5)
    if "ss" in names:
        built["ss"] = solutions.selfie_segmentation.SelfieSegmentation(model_selection=1)
    if "fm" in names:
        built["fm"] = solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=max_faces,
                                                   refine_landmarks=False)
    w, h = SIZE

    def run(image: np.ndarray, index: int) -> Output:
        boxes, meshes = [], []
        if "fd" in built:
            for det in built["fd"].process(image).detections or ():
                b = det.location_data.relative_bounding_box
                boxes.append(np.array([b.xmin * w, b.ymin * h, (b.xmin + b.width) * w, (b.ymin + b.height) * h]))
        if "ss" in built:
            built["ss"].process(image)
        if "fm" in built:
            for face in built["fm"].process(image).multi_face_landmarks or ():
                points = np.array([(p.x * w, p.y * h) for p in face.landmark])
                meshes.append(points)
                if "fd" not in built:
                    boxes.append(np.concatenate([points.min(axis=0), points.max(axis=0)]))
        return Output(boxes, meshes)

    return run


def timed(pipeline: Callable[[np.ndarray, int], Output], frames: list[np.ndarray]) -> tuple[float, list[Output]]:
    """CPU milliseconds per frame over the whole clip, and the outputs.

    A short pause first lets any background thread of the previous pipeline
    finish, so its CPU time is not charged to this one.
    """
    time.sleep(SETTLE_S)
    outputs = []
    started = time.process_time()
    for i, image in enumerate(frames):
        outputs.append(pipeline(image, i))
    return (time.process_time() - started) * 1000 / len(frames), outputs


def same_faces(a: list[Output], b: list[Output], mesh: bool) -> tuple[int, float]:
    """Frames where both agree, and the mean box IoU (or mesh NME) over matched faces."""
    agree, scores = 0, []
    for x, y in zip(a, b, strict=True):
        if len(x.boxes) != len(y.boxes):
            continue
        ok = True
        for box in x.boxes:
            overlaps = iou(box, np.array(y.boxes)) if y.boxes else np.zeros(1)
            ok &= bool(overlaps.max() >= 0.5)
            if not mesh:
                scores.append(float(overlaps.max()))
        if mesh:
            for points in x.meshes:
                errors = [_nme(points, other) for other in y.meshes]
                best = min(errors) if errors else 1.0
                ok &= best <= 0.1
                scores.append(best)
        agree += ok
    return agree, (statistics.fmean(scores) if scores else float("nan"))


def _nme(points: np.ndarray, reference: np.ndarray) -> float:
    eyes = float(np.linalg.norm(reference[263] - reference[33]))
    return float(np.linalg.norm(points - reference, axis=1).mean() / max(eyes, 1e-6))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=180, help="frames per configuration and round")
    parser.add_argument("--rounds", type=int, default=5, help="repeats; the median of the per-round ratios is reported")
    parser.add_argument("--threads", type=int, default=1, help="LiteRT threads for our models")
    parser.add_argument("--variant", choices=("int8", "float"), default="int8",
                        help="our models: the shipped int8 ones, or their float references (to separate "
                             "pipeline overhead from model speed)")
    args = parser.parse_args(argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    logging.getLogger().setLevel(logging.WARNING)
    try:
        import mediapipe  # noqa: F401
    except ImportError:
        print("compare_mediapipe: error: mediapipe is not installed; pip install 'mediapipe==0.10.14'",
              file=sys.stderr)
        return 2

    config = Config().replace("inference", threads=args.threads).replace("perception", max_faces=1)
    frames = load_frames(args.frames)
    amx = keep_xnnpack_off_amx()  # what the app does; it also applies to MediaPipe in this process
    print(f"{len(frames)} frames {SIZE[0]}x{SIZE[1]}, {args.rounds} rounds, our models {args.variant} "
          f"with threads={args.threads}, XNNPACK AMX tiles {amx}, "
          f"segmentation={config.perception.segmentation_model}, max_faces=1 on both sides")
    ms: dict[tuple[str, str], list[float]] = {}
    results: dict[tuple[str, str], list[Output]] = {}
    for round_ in range(args.rounds):
        for name, needs in CONFIGS.items():
            sides = {"ours": ours(config, needs, args.variant), "mediapipe": mediapipe_pipeline(MP_SOLUTIONS[name], 1)}
            order = list(sides) if round_ % 2 == 0 else list(sides)[::-1]  # neither side always goes first
            for side in order:
                sides[side](frames[0], 0)  # warm-up outside the clock (first-call allocations)
                cost, outputs = timed(sides[side], frames)
                ms.setdefault((name, side), []).append(cost)
                results[(name, side)] = outputs
    ratios = {}
    print(f"{'config':<10}{'ours ms':>10}{'mediapipe ms':>14}{'ratio':>8}   per-round ratios (min..max)")
    for name in CONFIGS:
        ours_ms, peer_ms = ms[(name, "ours")], ms[(name, "mediapipe")]
        # Each round's pair ran back to back, so its ratio sees one machine state; the median of
        # those ratios is steadier on a shared machine than a ratio of medians.
        per_round = [a / b for a, b in zip(ours_ms, peer_ms, strict=True)]
        ratios[name] = statistics.median(per_round)
        print(f"{name:<10}{statistics.median(ours_ms):>10.2f}{statistics.median(peer_ms):>14.2f}"
              f"{ratios[name]:>8.2f}   {min(per_round):.2f}..{max(per_round):.2f}")
    agreed = True
    for name, mesh in (("det", False), ("det+mesh", True)):
        count, score = same_faces(results[(name, "ours")], results[(name, "mediapipe")], mesh)
        what = "mean mesh NME" if mesh else "mean box IoU"
        print(f"same faces {name}: {count}/{len(frames)} frames agree, {what} {score:.3f}")
        agreed &= count == len(frames)
    ok = agreed and ratios["det+seg"] <= TARGET and ratios["det+mesh"] <= TARGET
    print(f"ratio det+seg={ratios['det+seg']:.2f} det+mesh={ratios['det+mesh']:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
