"""``magicbooth analyze IMAGE``: what the models see in one image, as text or JSON.

Coordinates are in the input image's pixels. ``--out`` writes a copy with the
boxes, keypoints, mesh and mask outline drawn on it; ``--mask`` writes the person
alpha exactly as effects receive it (8-bit PNG), to compare edges and clean-up.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from magicbooth.commands import Context
from magicbooth.core.errors import OutputError
from magicbooth.core.frames import Frame
from magicbooth.core.media import read_image
from magicbooth.core.outputs import PendingFile, check_output
from magicbooth.core.scene import KEYPOINT_NAMES, Scene
from magicbooth.perception.assembly import Perception, mesh_for

HELP = "show what the face, mesh and mask models find in one image (--json for machine-readable output)"
STAGES = ("detect", "landmarks", "segment")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", metavar="IMAGE", help="a PNG or JPEG image")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--out", metavar="FILE", help="write an annotated copy (PNG or JPEG)")
    parser.add_argument("--mask", metavar="FILE", help="write the person mask as it is used: an 8-bit grey PNG, "
                        "0 background to 255 person, at the image's size")


def run(args: argparse.Namespace, ctx: Context) -> int:
    image = read_image(args.image)
    if args.out:
        check_image_output(args.out, args.image)
    if args.mask:
        check_image_output(args.mask, args.image, flag="--mask", suffixes=(".png",))
    perception = Perception(ctx.config, {"faces", "mesh", "mask"})
    scene = perception.process_still(Frame(image, 0.0, 0))
    result = to_json(scene)
    if args.out:
        write_annotated(args.out, scene)
    if args.mask:
        write_mask(args.mask, scene)
    print(json.dumps(result) if args.json else summary(result))
    return 0


def check_image_output(path: str, image: str, *, flag: str = "--out",
                       suffixes: tuple[str, ...] = (".png", ".jpg", ".jpeg")) -> None:
    """Fail before the models run if an output image could not be written (or would replace the input)."""
    if Path(path).suffix.lower() not in suffixes:
        raise OutputError(f"{path}: {flag} must end in {' or '.join(suffixes)}")
    check_output(path, inputs=(image,))


def to_json(scene: Scene) -> dict[str, Any]:
    """The ``analyze --json`` record: faces with box, score, keypoints and landmarks, coverage and timings."""
    width, height = scene.frame.size
    faces = []
    for face in scene.faces:
        mesh = mesh_for(face, scene.meshes)
        faces.append({
            "box": [round(v, 2) for v in face.box],
            "score": round(face.score, 4),
            "keypoints": {name: [round(v, 2) for v in face.keypoints[name]] for name in KEYPOINT_NAMES},
            "landmarks": [] if mesh is None else np.round(mesh.points[:, :2].astype(np.float64), 2).tolist(),
        })
    coverage = float(scene.mask.mean()) if scene.mask is not None else 0.0
    return {
        "width": width,
        "height": height,
        "faces": faces,
        "person_coverage": round(coverage, 4),
        "timings_ms": {stage: round(scene.timings.get(stage, 0.0), 3) for stage in STAGES},
    }


def summary(result: dict[str, Any]) -> str:
    """A few human-readable lines."""
    lines = [f"{result['width']}x{result['height']}: {len(result['faces'])} face(s), "
             f"person covers {result['person_coverage']:.1%}"]
    for i, face in enumerate(result["faces"], 1):
        x, y, w, h = face["box"]
        lines.append(f"  face {i}: box x={x:.0f} y={y:.0f} w={w:.0f} h={h:.0f}, score {face['score']:.2f}, "
                     f"{len(face['landmarks'])} landmarks")
    lines.append("  timings: " + ", ".join(f"{k} {v:.1f} ms" for k, v in result["timings_ms"].items()))
    return "\n".join(lines)


def write_annotated(path: str, scene: Scene) -> None:
    """Draw mask outline, mesh, boxes and keypoints over the image and save it."""
    canvas = cv2.cvtColor(scene.frame.image, cv2.COLOR_RGB2BGR)
    thick = max(1, round(max(canvas.shape[:2]) / 400))
    if scene.mask is not None:
        solid = (scene.mask > 0.5).astype(np.uint8)
        contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(canvas, contours, -1, (0, 220, 255), thick)
    for mesh in scene.meshes:
        for x, y in np.round(mesh.points[:, :2] - 0.5).astype(int):
            cv2.circle(canvas, (int(x), int(y)), thick, (255, 200, 0), -1)
    for face in scene.faces:
        x, y, w, h = face.box
        cv2.rectangle(canvas, (round(x), round(y)), (round(x + w), round(y + h)), (0, 255, 0), thick)
        for px, py in face.keypoints.values():
            cv2.circle(canvas, (round(px), round(py)), 2 * thick + 1, (0, 0, 255), -1)
    _write(path, canvas, "annotated image")


def write_mask(path: str, scene: Scene) -> None:
    """The alpha effects receive, as an 8-bit PNG (lossless, so the soft edge is kept as it is)."""
    mask = scene.mask if scene.mask is not None else np.zeros(scene.frame.image.shape[:2], np.float32)
    _write(path, np.round(np.clip(mask, 0.0, 1.0) * 255).astype(np.uint8), "mask")


def _write(path: str, image: np.ndarray, what: str) -> None:
    with PendingFile(path) as pending:       # renamed into place only once written whole
        try:
            ok = cv2.imwrite(str(pending.temp), image)
        except cv2.error as exc:
            raise OutputError(f"{path}: cannot write the {what}: {exc}") from None
        if not ok:
            raise OutputError(f"{path}: cannot write the {what}; check there is space")
