"""Less work per frame, the same answers: faces and meshes with the work-saving tricks against without.

Perception skips work where the picture allows: faces without a mesh are followed between
detections (``[perception] detect_every``), the mesh model is not run again on a face that
only moved as a whole or kept still (``mesh_reuse``), the mask is kept while the picture is still
(``mask_still_frames``; its own figures come from ``tools/bench_matting.py``), and a
picamera2-style low-resolution stream can stand in for CPU resizing (``--lores``). This runs
the same clips through a reference that does all the work on every frame and through the
configuration under test, in one run, and scores both against the truth:

Every clip is a photo moved by a known map (the sample clip's pan, zoom and tilt; the matting
clips' placements), so the truth of each frame is the float models' faces and mesh *on the
photo itself*, carried into the frame by that map (the six keypoints from the mesh, which is
finer than the detector's own). Faces whose box lies wholly inside the frame
count. Per clip, for the reference and for the configuration under test:

- **faces**: recall (true faces matched by an output face at box IoU ≥ 0.5), false faces
  (outputs matching none), mean box IoU of the matches, keypoint error (mean distance over the
  true eye distance), and box jitter on the still clip (mean frame-to-frame movement of the box
  corners, px, where the truth does not move);
- **mesh**: the same recall for meshes (their bounds), NME (mean point distance over the true
  eye-corner distance), and mesh jitter on the still clip;
- **work**: detector and mesh-model runs per frame.

Clips: the sample clip (a photo panned, zoomed and tilted: the whole picture moves) and the
matting clips (a fixed camera: a person still, swaying, leaning, waving an arm, two people,
walking closer; needs the models extra to render).

    python tools/bench_reuse.py [--clips sample,still,sway,...] [--lores 320x240] [--set KEY=VALUE]...
        [--reference-set KEY=VALUE]... [--json FILE]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from magicbooth.core.config import Config  # noqa: E402
from magicbooth.core.frames import Frame  # noqa: E402
from magicbooth.core.scene import KEYPOINT_NAMES, Scene  # noqa: E402
from magicbooth.perception import Perception  # noqa: E402
from magicbooth.perception.anchors import iou  # noqa: E402
from magicbooth.perception.loading import open_reference  # noqa: E402
from magicbooth.perception.tracking import face_from_mesh  # noqa: E402

EVERYTHING = {"detect_every": 1, "mesh_reuse": 0, "mask_still_frames": 0}
MATCH_IOU = 0.5
CONFIGS = {"faces": {"faces"}, "mesh": {"mesh"}}
SIZE = (640, 480)


@dataclass(frozen=True)
class Truth:
    """One true face in frame pixels: xyxy box, the six keypoints (6, 2) and the mesh (468, 2)."""

    box: np.ndarray
    keypoints: np.ndarray
    mesh: np.ndarray | None


@functools.cache
def photo_faces(person: str) -> tuple[Truth, ...]:
    """The float models' faces and meshes on a photo, in its own pixels."""
    if person == "sample":
        from tools.make_sample import astronaut, extended

        image = extended(astronaut())
    else:
        from tools.matting.clips import _person

        image = _person(person)[0]
    config = Config().replace("inference", threads=1)
    perception = Perception(config, {"mesh"}, opener=lambda kind: open_reference(kind, config))
    scene = perception.process_still(Frame(np.ascontiguousarray(image), 0.0, 0))
    truths = []
    for face in scene.faces:
        x, y, w, h = face.box
        mesh = next((m.points for m in scene.meshes if m.points[:, 0].min() <= x + w / 2 <= m.points[:, 0].max()),
                    None)
        # keypoints from the mesh where there is one: the detector's own are a few pixels coarse
        keys = face.keypoints if mesh is None else face_from_mesh(mesh, 1.0).keypoints
        truths.append(Truth(np.array([x, y, x + w, y + h], np.float32),
                            np.array([keys[k] for k in KEYPOINT_NAMES], np.float32),
                            None if mesh is None else mesh[:, :2]))
    return tuple(truths)


def placed(truth: Truth, m: np.ndarray) -> Truth:
    """A photo's truth carried into the frame by a 2×3 map (boxes stay upright, scaled by its zoom)."""
    zoom = float(np.hypot(m[0, 0], m[1, 0]))
    centre = m[:, :2] @ ((truth.box[:2] + truth.box[2:]) / 2) + m[:, 2]
    half = (truth.box[2:] - truth.box[:2]) * zoom / 2
    mesh = None if truth.mesh is None else truth.mesh @ m[:, :2].T + m[:, 2]
    return Truth(np.concatenate([centre - half, centre + half]).astype(np.float32),
                 (truth.keypoints @ m[:, :2].T + m[:, 2]).astype(np.float32), mesh)


def talking(count: int) -> tuple[list[np.ndarray], list[list[Truth]]]:
    """The sample photo's face opening and closing its mouth, drifting slowly as a guest's head does.

    The photo is warped piecewise-affinely along its own mesh: points from the lower inner lip
    down (the lower lip, the chin) drop by up to 0.45 eye distances, fading towards the sides of
    the face; the open mouth darkens as it opens. The truth is that moved mesh.
    """
    from magicbooth.effects.assets import face_model
    from magicbooth.effects.meshwarp import warp_maps
    from tools.make_sample import astronaut, extended, matrix_at

    photo = extended(astronaut())
    face = photo_faces("sample")[0]
    assert face.mesh is not None
    mesh, layout = face.mesh.astype(np.float32), face_model()
    eyes = float(np.linalg.norm(mesh[263] - mesh[33]))
    below = np.clip((mesh[:, 1] - mesh[13, 1]) / max(float(mesh[14, 1] - mesh[13, 1]), 1.0), 0, 1)
    half = (mesh[:, 0].max() - mesh[:, 0].min()) / 2
    side = np.clip(1 - ((mesh[:, 0] - mesh[[78, 308], 0].mean()) / half) ** 2, 0, 1)
    lips = layout.contour("lips_1")
    size = (photo.shape[1], photo.shape[0])
    images, truths = [], []
    for i in range(count):
        opening = 0.45 * eyes * (0.5 - 0.5 * math.cos(2 * math.pi * i / 12))
        moved = mesh.copy()
        moved[:, 1] += opening * below * side
        image = photo.copy()
        maps = warp_maps(mesh, moved, layout.triangles, size, step=1)
        if maps is not None:
            cover = maps.coverage[..., None]
            region = image[maps.slices]
            region[:] = (maps.sample(photo) * cover + region * (1 - cover)).astype(np.uint8)
        dark = image.copy()
        cv2.fillPoly(dark, [np.round(moved[lips] * 16).astype(np.int32)], (70, 30, 35), cv2.LINE_AA, 4)
        shade = min(opening / (0.15 * eyes), 1.0)  # a closed mouth keeps its own lips and teeth
        image = cv2.addWeighted(dark, shade, image, 1 - shade, 0)
        m = matrix_at(size, 0.0)
        m[:, 2] += (0.8 * i, 0.3 * i)  # a slow drift
        images.append(cv2.warpAffine(image, m, SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101))
        keys = face_from_mesh(np.pad(moved, ((0, 0), (0, 1))), 1.0).keypoints
        truths.append([placed(Truth(face.box, np.array([keys[k] for k in KEYPOINT_NAMES], np.float32), moved), m)])
    return images, truths


def clip(name: str, count: int) -> tuple[list[np.ndarray], list[list[Truth]]]:
    """The clip's frames and, for each, the true faces wholly inside it."""
    images, truths = [], []
    if name == "talk":
        images, truths = talking(count)
    elif name == "sample":
        from tools.make_sample import astronaut, extended, matrix_at

        capture = cv2.VideoCapture(str(ROOT / "device" / "assets" / "sample.mp4"))
        h, w = extended(astronaut()).shape[:2]
        for i in range(count):
            ok, bgr = capture.read()
            if not ok:
                break
            images.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            truths.append([placed(t, matrix_at((w, h), i / 30)) for t in photo_faces("sample")])
    else:
        from tools.matting.clips import CLIPS

        source = next(c for c in CLIPS if c.name == name)
        for i, frame in zip(range(count), source.frames(), strict=False):
            images.append(frame.image)
            truths.append([placed(t, m) for person, m in source.draw(i) if person != "arm"
                           for t in photo_faces(person)])
    w, h = SIZE
    inside = [[t for t in ts if t.box[0] >= 0 and t.box[1] >= 0 and t.box[2] <= w and t.box[3] <= h]
              for ts in truths]
    return images, inside


def options(config: Config, items: list[str] | dict[str, object]) -> Config:
    pairs = items.items() if isinstance(items, dict) else (i.partition("=")[::2] for i in items)
    for key, value in pairs:
        kind = type(getattr(config.perception, key))
        if isinstance(value, str):
            value = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
        config = config.replace("perception", **{key: value})
    return config


def run(config: Config, needs: set[str], images: list[np.ndarray], lores: tuple[int, int] | None
        ) -> tuple[list[Scene], dict[str, float]]:
    perception = Perception(config, needs)
    scenes = []
    for i, image in enumerate(images):
        small = cv2.resize(image, lores, interpolation=cv2.INTER_AREA) if lores else None
        scenes.append(perception.process(Frame(image, i / 30, i, small)))
    work = {"detector runs": perception.detector.calls / len(images) if perception.detector else 0.0}
    if perception.tracker is not None:
        work["mesh runs"] = perception.tracker.landmarker.calls / len(images)
    return scenes, work


def xyxy(box: tuple[float, float, float, float]) -> np.ndarray:
    x, y, w, h = box
    return np.array([x, y, x + w, y + h], np.float32)


def score(scenes: list[Scene], truths: list[list[Truth]], still: bool, mesh: bool) -> dict[str, float]:
    """Faces (and meshes) of a run against the truth; see the module docstring."""
    total = matched = false = mesh_matched = 0
    ious, kp_err, nme, mouth = [], [], [], []
    for scene, truth in zip(scenes, truths, strict=True):
        boxes = np.array([xyxy(f.box) for f in scene.faces]).reshape(-1, 4)
        used: set[int] = set()
        for t in truth:
            total += 1
            overlaps = iou(t.box, boxes) if len(boxes) else np.zeros(0)
            best = int(np.argmax(overlaps)) if len(overlaps) else -1
            if best < 0 or overlaps[best] < MATCH_IOU or best in used:
                continue
            used.add(best)
            matched += 1
            ious.append(float(overlaps[best]))
            eyes = float(np.linalg.norm(t.keypoints[1] - t.keypoints[0]))
            found = np.array([scene.faces[best].keypoints[k] for k in KEYPOINT_NAMES], np.float32)
            kp_err.append(float(np.linalg.norm(found - t.keypoints, axis=1).mean() / max(eyes, 1.0)))
            if mesh and t.mesh is not None:
                for m in scene.meshes:
                    bounds = np.concatenate([m.points[:, :2].min(0), m.points[:, :2].max(0)])
                    true_bounds = np.concatenate([t.mesh.min(0), t.mesh.max(0)])
                    if iou(true_bounds, bounds[None])[0] >= MATCH_IOU:
                        mesh_matched += 1
                        corners = float(np.linalg.norm(t.mesh[263] - t.mesh[33]))
                        nme.append(float(np.linalg.norm(m.points[:, :2] - t.mesh, axis=1).mean() / corners))
                        mouth.append(abs(float(np.linalg.norm(m.points[14, :2] - m.points[13, :2])
                                               - np.linalg.norm(t.mesh[14] - t.mesh[13]))) / corners)
                        break
        false += len(scene.faces) - len(used)
    out = {"faces": total, "recall": matched / total if total else float("nan"), "false": false,
           "box_iou": _mean(ious), "keypoint_error": _mean(kp_err)}
    if mesh:
        out |= {"mesh_recall": mesh_matched / total if total else float("nan"), "nme": _mean(nme),
                "mouth_error": _mean(mouth)}
    if still:
        out["jitter_px"] = _mean([float(np.abs(xyxy(a.faces[0].box) - xyxy(b.faces[0].box)).mean())
                                  for a, b in itertools.pairwise(scenes[3:])
                                  if len(a.faces) == len(b.faces) == 1])
        if mesh:
            out["mesh_jitter_px"] = _mean([float(np.linalg.norm(a.meshes[0].points[:, :2] - b.meshes[0].points[:, :2],
                                                                axis=1).mean())
                                           for a, b in itertools.pairwise(scenes[3:])
                                           if len(a.meshes) == len(b.meshes) == 1])
    return out


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def summary(rows: dict[str, dict], key: str) -> dict[str, float]:
    """Over all clips: recall and mesh recall weighted by faces, errors by matches, work by frames."""
    faces = sum(r[key]["faces"] for r in rows.values())
    out: dict[str, float] = {"faces": faces, "false": sum(r[key]["false"] for r in rows.values())}
    for name in ("recall", "mesh_recall"):
        if all(name in r[key] for r in rows.values()):
            out[name] = sum(r[key][name] * r[key]["faces"] for r in rows.values() if r[key]["faces"]) / max(faces, 1)
    for name in ("box_iou", "keypoint_error", "nme", "mouth_error", "detector runs", "mesh runs"):
        values = [r[key][name] for r in rows.values() if name in r[key] and not np.isnan(r[key][name])]
        if values:
            out[name] = float(np.mean(values))
    for name in ("jitter_px", "mesh_jitter_px"):
        if name in rows.get("still", {}).get(key, {}):
            out[name] = rows["still"][key][name]
    return out


def line(values: dict[str, float]) -> str:
    return "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", default="sample,talk,still,sway,lean,arm,two,approach")
    parser.add_argument("--frames", type=int, default=30, help="frames per clip")
    parser.add_argument("--configs", default="faces,mesh", help="faces (detector, followed), mesh (tracked)")
    parser.add_argument("--lores", default="", metavar="WxH", help="give the frames under test a low-res stream")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a [perception] option for the configuration under test")
    parser.add_argument("--reference-set", action="append", default=[], metavar="KEY=VALUE",
                        help="a [perception] option for the reference (which does all the work by default)")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    base = Config().replace("inference", threads=1)
    reference = options(options(base, EVERYTHING), args.reference_set)
    tested = options(base, args.set)
    lores = tuple(int(v) for v in args.lores.split("x")) if args.lores else None
    results: dict[str, dict] = {}
    for config_name in args.configs.split(","):
        needs = CONFIGS[config_name]
        rows: dict[str, dict] = {}
        for name in args.clips.split(","):
            images, truths = clip(name, args.frames)
            row = {}
            for key, config, small in (("reference", reference, None), ("tested", tested, lores)):
                scenes, work = run(config, needs, images, small)
                row[key] = score(scenes, truths, name == "still", "mesh" in needs) | work
            rows[name] = row
            print(f"{config_name} {name}\n  reference  {line(row['reference'])}\n  tested     {line(row['tested'])}",
                  flush=True)
        results[config_name] = {"clips": rows, "reference": summary(rows, "reference"),
                                "tested": summary(rows, "tested")}
        print(f"{config_name} ALL CLIPS\n  reference  {line(results[config_name]['reference'])}\n"
              f"  tested     {line(results[config_name]['tested'])}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"set": args.set, "reference_set": args.reference_set,
                                               "lores": args.lores, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
