"""Clean-up that knows about people: keep whole persons, drop stray islands.

The model sometimes marks a coffee cup, a patch of hair-coloured sky or a poster as person.
Regions of the thresholded mask are kept when they hold a detected face or are big enough to
be a body (where a face detector looked, a faceless body must also come up from the bottom of
the picture, as bodies at a booth do); smaller ones survive only near such a person (a hand, a
hat) and only when not tiny. Without a detector, regions above the smallest size stay. A person whose face was
detected is never dropped, however small or faint their region.

Regions are outer contours (several times cheaper than labelling every pixel on a Pi, and a
mask has a handful of them); nothing is drawn unless a region is dropped.

Usage::

    keep = keep_people(prob, threshold=0.5, faces=[(x, y, w, h)], min_blob=0.01, body=0.05)
    if keep is not None: prob *= keep
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Box = tuple[float, float, float, float]  # x, y, w, h in the mask's pixels
Rect = tuple[int, int, int, int]         # a region's bounding box, x, y, w, h
NEAR = 0.08  # "near a person": within this fraction of the mask width of a kept region's box
BOTTOM = 0.9  # "comes up from the bottom": reaches below this fraction of the picture's height


def keep_people(prob: np.ndarray, threshold: float, faces: Sequence[Box] | None = None, min_blob: float = 0.01,
                body: float = 0.05, grow: int = 1) -> np.ndarray | None:
    """A float32 0/1 map of what to keep (grown by ``grow`` pixels so soft edges survive), or None for all.

    ``faces`` None means no detector ran; an empty sequence means one ran and found nobody.
    """
    solid = (prob > threshold).view(np.uint8)
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    # Pixels in a region ≈ polygon area through the boundary pixel centres + half the boundary + 1 (Pick).
    area = [(cv2.contourArea(c) + cv2.arcLength(c, True) / 2 + 1) / prob.size for c in contours]
    boxes: list[Rect] = [tuple(cv2.boundingRect(c)) for c in contours]  # type: ignore[misc]
    height = prob.shape[0]
    known = faces is not None
    faces = faces or ()
    # Where a detector looked, a faceless region is a body only if it comes up from the bottom of
    # the picture, as a guest's does at the booth: a big round coffee cup on the table does not.
    anchors = {i for i, a in enumerate(area)
               if a >= body and (not known or boxes[i][1] + boxes[i][3] >= BOTTOM * height)}
    for face in faces:
        anchors |= {i for i, c in enumerate(contours) if _holds(c, boxes[i], face)}
    if anchors:
        near = NEAR * prob.shape[1]
        keep = anchors | {i for i in range(len(contours)) if area[i] >= min_blob
                          and any(_gap(boxes[i], boxes[j]) <= near for j in anchors)}
    elif known:
        keep = set()  # the detector saw nobody and nothing here is shaped like a body
    else:
        keep = {i for i, a in enumerate(area) if a >= min_blob}
    if len(keep) == len(contours):
        return None
    mask: np.ndarray = np.ones(prob.shape, np.uint8)
    cv2.drawContours(mask, [c for i, c in enumerate(contours) if i not in keep], -1, 0, cv2.FILLED)
    if grow > 0:  # grow what is kept (shrink what is dropped) so a kept region's soft edge survives
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    for face in faces:  # a face's person stays even when the model barely saw them
        _keep_faint(mask, prob, threshold, face)
    return mask.astype(np.float32)


def _holds(contour: np.ndarray, box: Rect, face: Box) -> bool:
    """Whether a region covers the middle of a face box (its centre, or overlaps the central half)."""
    x, y, w, h = face
    bx, by, bw, bh = box
    if x + 0.75 * w < bx or x + 0.25 * w > bx + bw or y + 0.75 * h < by or y + 0.25 * h > by + bh:
        return False
    centre = (float(x + w / 2), float(y + h / 2))
    return cv2.pointPolygonTest(contour, centre, True) >= -0.25 * max(w, h)


def _keep_faint(mask: np.ndarray, prob: np.ndarray, threshold: float, face: Box) -> None:
    """Keep the region above half the threshold that holds the face centre."""
    x, y, w, h = face
    cx, cy = int(np.clip(x + w / 2, 0, prob.shape[1] - 1)), int(np.clip(y + h / 2, 0, prob.shape[0] - 1))
    solid = (prob > threshold / 2).view(np.uint8)
    if solid[cy, cx] and not mask[cy, cx]:
        _, labels = cv2.connectedComponents(solid, connectivity=8)
        mask[labels == labels[cy, cx]] = 1


def _gap(a: Rect, b: Rect) -> float:
    """Distance between two (x, y, w, h) boxes; 0 when they overlap."""
    dx = max(a[0] - (b[0] + b[2]), b[0] - (a[0] + a[2]), 0)
    dy = max(a[1] - (b[1] + b[3]), b[1] - (a[1] + a[3]), 0)
    return float(np.hypot(dx, dy))
