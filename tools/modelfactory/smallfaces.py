"""Far guests: how many faces 24-48 px wide each detector finds, the way the app looks for them.

The held-out scenes drawn again with the face 24-48 px wide in the 640x480 frame (``scenes.Rescaler``)
have a known face position, so recall here is against where the face is, not against another model.
A face counts as found when a detection's centre lies within half a face width of it and its width is
within a factor of 2. The full-range detector looks as the app's scan does (``magicbooth.perception.regions``:
the whole frame, then each tile in turn); a face is found if any region finds it. The short-range detector
looks at the whole frame, as the app always ran it; it is also run over the same tiles, to show what the
tiles alone would give. Detections anywhere else are counted as false.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from magicbooth.perception.regions import Region, scan_regions
from tools.modelfactory import faces
from tools.modelfactory.datasets import normalise
from tools.modelfactory.metrics import DETECTION_THRESHOLD
from tools.modelfactory.scenes import SMALL_FACE_PX, SmallFace
from tools.modelfactory.specs import ModelSpec

Model = Callable[[np.ndarray], list[np.ndarray]]
BANDS = ((24, 32), (32, 40), (40, 48))


@dataclass(frozen=True)
class Looker:
    """One detector and how it looks: ``scan`` (whole frame then tiles) or the whole frame only."""

    label: str
    model: Model
    spec: ModelSpec
    scan: bool


def found_in(looker: Looker, small: SmallFace) -> tuple[bool, int]:
    """Whether ``looker`` finds the face, and how many detections it makes elsewhere."""
    height, width = small.image.shape[:2]
    regions = scan_regions(width, height) if looker.scan else (Region(0, 0, width, height, whole=True),)
    hit, false = False, 0
    for region in regions:
        for box in _boxes(looker, small.image, region):
            centre = (box[:2] + box[2:]) / 2
            ratio = (box[2] - box[0]) / small.width
            if np.hypot(*(centre - small.centre)) <= small.width / 2 and 0.5 <= ratio <= 2.0:
                hit = True
            else:
                false += 1
    return hit, false


def _boxes(looker: Looker, image: np.ndarray, region: Region) -> list[np.ndarray]:
    """Detections in ``region`` as x_min, y_min, x_max, y_max frame pixels."""
    size = looker.spec.size[0]
    square, scale, (pad_x, pad_y) = faces.letterbox(image[region.y0:region.y1, region.x0:region.x1], size)
    found = faces.decode(*looker.model(normalise(square, looker.spec)), threshold=DETECTION_THRESHOLD, size=size,
                         layout=looker.spec.anchors)
    offset = np.array([region.x0 - pad_x / scale, region.y0 - pad_y / scale] * 2)
    return [d.box * size / scale + offset for d in found]


def evaluate(lookers: Sequence[Looker], scenes: Sequence[SmallFace],
             progress: Callable[[str], None] = lambda _: None) -> dict[str, object]:
    """Recall per looker (overall and per face-width band), false detections, and which faces each found."""
    widths = np.array([s.width for s in scenes])
    rows, hits = [], {}
    for looker in lookers:
        progress(f"small faces: {looker.label}")
        results = [found_in(looker, s) for s in scenes]
        found = np.array([r[0] for r in results])
        hits[looker.label] = found
        bands = {f"{low}-{high} px": f"{int(found[(widths >= low) & (widths < high)].sum())}/"
                                     f"{int(((widths >= low) & (widths < high)).sum())}" for low, high in BANDS}
        rows.append({"detector": looker.label, "regions": "whole frame, then each tile" if looker.scan
                     else "whole frame", "found": int(found.sum()), "faces": len(scenes),
                     "recall": float(found.mean()) if len(scenes) else float("nan"), **bands,
                     "false_per_scene": float(np.mean([r[1] for r in results])) if results else float("nan")})
    return {"faces": len(scenes), "width_px": list(SMALL_FACE_PX),
            "regions": len(scan_regions(640, 480)), "rows": rows, "hits": hits}


def agreement(hits: dict[str, np.ndarray], reference: str, candidate: str) -> dict[str, float]:
    """Of the faces ``reference`` found, the share ``candidate`` found too (int8 against float)."""
    wanted = hits[reference]
    both = int((wanted & hits[candidate]).sum())
    return {"reference": reference, "candidate": candidate, "reference_found": int(wanted.sum()), "both": both,
            "recall": both / int(wanted.sum()) if wanted.any() else float("nan"),
            "candidate_only": int((hits[candidate] & ~wanted).sum())}
