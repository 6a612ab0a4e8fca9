"""Following detected faces between detections, so the detector need not run on every frame.

When only faces are needed (no mesh to track them), the detector still does not have to look
at every frame: a face that was found moves little from one frame to the next. Between
detections each face's box and keypoints are carried by sparse optical flow (pyramidal
Lucas-Kanade on a 160-pixel-wide grey picture, 16 points over the face) and the similarity
(shift, scale, turn) most of them agree on. The detector runs again when a
face cannot be followed (too few points agree, or it moved too far), every ``detect_every``
frames to pick up newcomers and to correct drift, and on every frame while nobody is seen.

On a Cortex-A72 following a face costs about a twentieth of a detector run.

Usage::

    boxes = BoxTracker(detect_every=5)
    small = boxes.picture(image)                       # the small grey picture of this frame
    followed = None if boxes.wants_detection else boxes.follow(small)
    if followed is None:
        rows, scores = detector.detect(image)
        boxes.seed(small, rows, scores)
    else:
        rows, scores = followed
"""

from __future__ import annotations

import cv2
import numpy as np

from magicbooth.perception.motion import similarity

WIDTH = 160               # width of the grey picture faces are followed on
GRID = 4                  # GRID × GRID points per face
INNER = 0.7               # the points cover the middle of the box (its edges are background)
MARGIN = 0.35             # the flow looks at the box and this much of its size around it
WINDOW = (7, 7)           # Lucas-Kanade window, in small-picture pixels
LEVELS = 1                # pyramid levels above the picture (motion up to about two windows a frame)
FIT_ERROR = 1.0           # a point agrees with the fitted motion within this many small-picture pixels
AGREE = 0.6               # share of a face's points that must agree on one motion
MAX_STEP = 0.5            # a face that moved more than this × its size in a frame is looked for again
MAX_ZOOM = 1.25           # ... or grew or shrank by more than this factor


class BoxTracker:
    """Carries detector rows (xyxy, then keypoint x, y pairs, frame pixels) from frame to frame."""

    def __init__(self, detect_every: int = 5, width: int = WIDTH) -> None:
        self.detect_every = max(1, detect_every)
        self.width = width
        self._grey: np.ndarray | None = None
        self._rows = np.zeros((0, 16), np.float32)
        self._scores = np.zeros(0, np.float32)
        self._scale = 1.0  # frame pixels per small-picture pixel
        self._since = 0
        self.followed = 0   # frames answered by following (for tests and counts)

    @property
    def wants_detection(self) -> bool:
        """True when the detector should run on this frame."""
        return self._grey is None or len(self._rows) == 0 or self._since >= self.detect_every - 1

    def picture(self, image: np.ndarray) -> np.ndarray:
        """The small grey picture faces are followed on (``image`` is the analysis image, RGB)."""
        h, w = image.shape[:2]
        size = (self.width, max(1, round(h * self.width / w)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if w > self.width else image
        return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)

    def seed(self, grey: np.ndarray, rows: np.ndarray, scores: np.ndarray, frame_width: int | None = None) -> None:
        """A detection on this picture: follow these rows from here (``frame_width``: the rows' frame)."""
        self._grey = grey
        self._rows = np.asarray(rows, np.float32).copy()
        self._scores = np.asarray(scores, np.float32).copy()
        self._scale = (frame_width or grey.shape[1]) / grey.shape[1]
        self._since = 0

    def follow(self, grey: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows moved to this picture, with their last detected scores; None to detect instead."""
        if self._grey is None or not len(self._rows) or grey.shape != self._grey.shape:
            return None
        moved = np.empty_like(self._rows)
        for i, row in enumerate(self._rows):
            matrix = self._motion(self._grey, grey, row[:4] / np.float32(self._scale))
            moved_row = None if matrix is None else _moved(row, matrix, self._scale)
            if moved_row is None:
                return None
            moved[i] = moved_row
        self._grey, self._rows = grey, moved
        self._since += 1
        self.followed += 1
        return moved.copy(), self._scores.copy()

    @staticmethod
    def _motion(before: np.ndarray, now: np.ndarray, box: np.ndarray) -> np.ndarray | None:
        """The similarity (2×3, small-picture pixels) that carries the face in ``box`` from one picture to the
        next, or None when its points do not agree. Only the face's neighbourhood is looked at: optical flow
        builds a pyramid of what it is given."""
        h, w = now.shape
        size = float(max(box[2] - box[0], box[3] - box[1]))
        x0, y0 = max(int(box[0] - MARGIN * size), 0), max(int(box[1] - MARGIN * size), 0)
        x1, y1 = min(int(box[2] + MARGIN * size) + 1, w), min(int(box[3] + MARGIN * size) + 1, h)
        if x1 - x0 < 2 * WINDOW[0] or y1 - y0 < 2 * WINDOW[1]:
            return None
        shift = np.array([x0, y0], np.float32)
        points = (_grid(box) - shift).reshape(-1, 1, 2)
        found = cv2.calcOpticalFlowPyrLK(before[y0:y1, x0:x1], now[y0:y1, x0:x1], points, None,  # type: ignore
                                         winSize=WINDOW, maxLevel=LEVELS)
        ahead, ok = np.asarray(found[0]), np.asarray(found[1])
        src, dst = points[ok[:, 0] == 1, 0], ahead[ok[:, 0] == 1, 0]
        for _ in range(2):  # fit, drop the points that disagree, fit again
            if len(src) < AGREE * len(points):
                return None
            matrix = similarity(src, dst)
            fits = np.abs(src @ matrix[:, :2].T + matrix[:, 2] - dst).max(axis=1) < FIT_ERROR
            if fits.all():
                break
            src, dst = src[fits], dst[fits]
        if len(src) < AGREE * len(points):
            return None
        matrix[:, 2] += shift - matrix[:, :2] @ shift  # back to whole-picture pixels: p' = A (p - s) + t + s
        return matrix

    def reset(self) -> None:
        """Forget every face (a scene cut, a still photo)."""
        self._grey = None
        self._rows = np.zeros((0, 16), np.float32)
        self._scores = np.zeros(0, np.float32)
        self._since = 0


_UNIT = np.stack(np.meshgrid(np.linspace(-0.5, 0.5, GRID), np.linspace(-0.5, 0.5, GRID)), -1).reshape(-1, 2)
_UNIT = (_UNIT * INNER).astype(np.float32)


def _grid(box: np.ndarray) -> np.ndarray:
    """GRID × GRID points over the middle of an xyxy box, float32 (n, 2)."""
    return _UNIT * (box[2:4] - box[0:2]) + (box[0:2] + box[2:4]) * np.float32(0.5)


def _moved(row: np.ndarray, matrix: np.ndarray, scale: float) -> np.ndarray | None:
    """The row under a small-picture similarity: keypoints mapped, the box moved and scaled (kept upright)."""
    zoom = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    size = max(float(row[2] - row[0]), float(row[3] - row[1]), 1.0)
    m = matrix.astype(np.float32).copy()
    m[:, 2] *= np.float32(scale)  # the same map in frame pixels
    centre = np.array([(row[0] + row[2]) / 2, (row[1] + row[3]) / 2], np.float32)
    new_centre = m[:, :2] @ centre + m[:, 2]
    if not 1 / MAX_ZOOM <= zoom <= MAX_ZOOM or np.hypot(*(new_centre - centre)) > MAX_STEP * size:
        return None
    half = (row[2:4] - row[0:2]) * np.float32(zoom / 2)
    out = row.copy()
    out[0:2], out[2:4] = new_centre - half, new_centre + half
    keypoints = row[4:].reshape(-1, 2)
    out[4:] = (keypoints @ m[:, :2].T + m[:, 2]).ravel()
    return out
