"""Face geometry effects share: anchors from keypoints, mouth opening, face outline, the extended
head mesh (hairline to chin, ear to ear), smoothing."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.core.scene import Face, FaceMesh
from magicbooth.effects.assets import face_model

# MediaPipe face-mesh landmark indices (facts of the mesh numbering).
UPPER_LIP_INNER, LOWER_LIP_INNER = 13, 14
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
FOREHEAD, CHIN = 10, 152


@dataclass(frozen=True)
class Anchor:
    """Where a face is: eye midpoint (x, y), distance between the eyes, roll in radians."""

    x: float
    y: float
    scale: float
    roll: float

    def up(self) -> np.ndarray:
        """Unit vector pointing up the face (towards the forehead) in image coordinates."""
        return np.array([math.sin(self.roll), -math.cos(self.roll)])


def anchor(face: Face) -> Anchor:
    """Eye midpoint, eye distance and roll from the detector's keypoints."""
    r = np.asarray(face.keypoints["right_eye"], np.float64)
    l = np.asarray(face.keypoints["left_eye"], np.float64)  # noqa: E741
    d = l - r
    # The subject's right eye is on the image's left in an unmirrored frame, so d points +x
    # when the head is upright.
    return Anchor(float((r[0] + l[0]) / 2), float((r[1] + l[1]) / 2), float(np.hypot(*d)),
                  float(math.atan2(d[1], d[0])))


def mouth_ratio(mesh: FaceMesh) -> float:
    """Mouth aspect ratio: inner-lip gap over mouth width (about 0 closed, 0.5+ wide open)."""
    p = mesh.points
    gap = np.linalg.norm(p[UPPER_LIP_INNER, :2] - p[LOWER_LIP_INNER, :2])
    width = np.linalg.norm(p[MOUTH_RIGHT, :2] - p[MOUTH_LEFT, :2])
    return float(gap / width) if width > 1e-6 else 0.0


def outline(mesh: FaceMesh) -> np.ndarray:
    """The face oval as an (n, 2) float32 polygon in frame pixels."""
    return mesh.points[face_model().contour("face_oval_0"), :2].astype(np.float32)


def hull_mask(mesh: FaceMesh, size: tuple[int, int]) -> np.ndarray:
    """A uint8 (h, w) mask, 255 inside the convex hull of the mesh."""
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    hull = cv2.convexHull(np.round(mesh.points[:, :2] * 16).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_8, 4)
    return mask


def mesh_for(face: Face, meshes: tuple[FaceMesh, ...]) -> FaceMesh | None:
    """The mesh whose centre lies inside this face's box, if any."""
    x, y, w, h = face.box
    for m in meshes:
        cx, cy = m.points[:, :2].mean(0)
        if x - w * 0.25 <= cx <= x + w * 1.25 and y - h * 0.25 <= cy <= y + h * 1.25:
            return m
    return None


@dataclass(frozen=True)
class HeadPose:
    """Where a head is and how it is turned, from its 3D face mesh.

    ``x, y``: the eye midpoint in pixels; ``scale``: the eye distance in 3D (pixels, so it does not
    shrink when the head turns); ``yaw`` (positive: the face turns to the image's right), ``pitch``
    (positive: looking up) and ``roll`` (positive: clockwise on screen) in radians.
    """

    x: float
    y: float
    scale: float
    yaw: float
    pitch: float
    roll: float


def head_pose(mesh: FaceMesh) -> HeadPose:
    """The head pose of one face mesh (points: x right, y down, z away from the camera, all in pixels).

    The head's axes (across the eyes, up the face, and their cross product) form a rotation that
    is split as roll (about the camera's axis) after yaw (about the vertical) after pitch (about
    the head's own x axis): the order the stickers are rendered in, with roll applied on screen.
    """
    model = face_model()
    p = mesh.points.astype(np.float64) * (1, -1, -1)      # x right, y up, z towards the camera
    right = p[model.contour("right_eye_0")].mean(0)
    left = p[model.contour("left_eye_0")].mean(0)
    across = left - right
    scale = float(np.linalg.norm(across))
    x_axis = across / max(scale, 1e-9)
    up = p[FOREHEAD] - p[CHIN]
    up -= (up @ x_axis) * x_axis
    up /= max(float(np.linalg.norm(up)), 1e-9)
    rot = np.stack([x_axis, up, np.cross(x_axis, up)], axis=1)    # columns: the head's axes
    yaw = math.asin(float(np.clip(-rot[2, 0], -1, 1)))
    pitch = -math.atan2(rot[2, 1], rot[2, 2])
    roll = -math.atan2(rot[1, 0], rot[0, 0])
    mid = (left + right) / 2
    return HeadPose(float(mid[0]), float(-mid[1]), scale, yaw, pitch, roll)


# How far past the face oval the extended mesh reaches, as a fraction of the oval's radius:
# up to the hairline on top, to the ears at the sides, hardly below the chin.
RING_TOP, RING_SIDE, RING_CHIN = 0.36, 0.13, 0.04


@dataclass(frozen=True)
class HeadLayout:
    """The face mesh grown by one ring of points around the face oval (indices 468..468+len(oval)-1).

    ``triangles`` are the mesh's plus the band between the oval and the ring, wound like the layout.
    ``reach`` is each ring point's distance past the oval, as a fraction of the oval's radius there.
    """

    oval: np.ndarray
    reach: np.ndarray
    triangles: np.ndarray
    uv: np.ndarray

    @property
    def size(self) -> int:
        return len(self.uv)

    def extend(self, points: np.ndarray) -> np.ndarray:
        """(468, 2 or 3) mesh points -> (468 + ring, same) with the ring added, in the mesh's own 3D space."""
        oval = points[self.oval]
        centre = oval.mean(0)
        ring = oval + self.reach[:, None] * (oval - centre)
        return np.concatenate([points, ring]).astype(points.dtype, copy=False)


@functools.cache
def head_layout() -> HeadLayout:
    """The extended layout, built once from the face model."""
    model = face_model()
    oval = model.contour("face_oval_0")
    uv = model.uv.astype(np.float64)
    d = uv[oval] - uv[oval].mean(0)
    up = -d[:, 1] / np.linalg.norm(d, axis=1)
    reach = (RING_SIDE + (RING_TOP - RING_SIDE) * np.clip(up, 0, 1) ** 2
             - (RING_SIDE - RING_CHIN) * np.clip(-up, 0, 1) ** 2)
    n, base = len(oval), len(uv)
    ring_uv = uv[oval] + reach[:, None] * d
    all_uv = np.concatenate([uv, ring_uv])
    band = []
    for i in range(n):
        a, b, ra, rb = oval[i], oval[(i + 1) % n], base + i, base + (i + 1) % n
        band += [(a, ra, b), (b, ra, rb)]
    band_t = np.array(band, np.int32)
    e1, e2 = all_uv[band_t[:, 1]] - all_uv[band_t[:, 0]], all_uv[band_t[:, 2]] - all_uv[band_t[:, 0]]
    flip = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0] < 0
    band_t[flip] = band_t[flip][:, [0, 2, 1]]
    tris = np.concatenate([model.triangles, band_t]).astype(np.int32)
    return HeadLayout(oval.astype(np.int32), reach.astype(np.float32), tris, all_uv.astype(np.float32))


def delaunay(uv: np.ndarray, keep: np.ndarray, outline: np.ndarray,
             holes: tuple[np.ndarray, ...] = ()) -> np.ndarray:
    """A coarser mesh over the points ``keep`` of a layout: their Delaunay triangles (indices into ``uv``)
    whose centre lies inside the polygon ``outline`` and outside every polygon in ``holes`` (the eyes),
    wound counter-clockwise like the layout so front-facing tests agree."""
    pts = uv[keep].astype(np.float64)
    lo, hi = pts.min(0) - 1, pts.max(0) + 1
    sub = cv2.Subdiv2D((float(lo[0]), float(lo[1]), float(hi[0] - lo[0]) + 1, float(hi[1] - lo[1]) + 1))
    for u, v in pts:
        sub.insert((float(u), float(v)))
    lookup = {(round(float(u), 5), round(float(v), 5)): int(i) for (u, v), i in zip(pts, keep, strict=True)}
    outline, holes = outline.astype(np.float32), tuple(h.astype(np.float32) for h in holes)
    tris = []
    for t in sub.getTriangleList():
        found = [lookup.get((round(float(t[k]), 5), round(float(t[k + 1]), 5))) for k in (0, 2, 4)]
        corners = [c for c in found if c is not None]
        if len(corners) < 3:     # a corner of the bounding triangle Subdiv2D starts from
            continue
        c = uv[corners].mean(0)
        centre = (float(c[0]), float(c[1]))
        if cv2.pointPolygonTest(outline, centre, False) < 0 or any(
                cv2.pointPolygonTest(h, centre, False) > 0 for h in holes):
            continue
        a, b, d = uv[corners]
        if (b[0] - a[0]) * (d[1] - a[1]) - (b[1] - a[1]) * (d[0] - a[0]) < 0:
            corners = [corners[0], corners[2], corners[1]]
        tris.append(corners)
    return np.array(tris, np.int32)


@functools.cache
def coarse_head_triangles() -> np.ndarray:
    """The extended head mesh with about 40 % of its triangles, for pasting a face (``effects.faceswap``).

    Every outline that must line up between two faces is kept whole (face oval, eyes, lips inside and
    out, brows, the ring; the nose at every other point); the cheeks, forehead and chin in between keep
    one landmark in six.
    Each triangle costs one OpenCV fill per face per frame, most of a face swap's time.
    """
    layout, model = head_layout(), face_model()
    keep = set(range(0, 468, 6)) | set(range(468, layout.size))
    for name, contour in model.contours.items():
        keep.update(int(i) for i in (contour[::2] if name == "nose_0" else contour))
    ring = layout.uv[468:]
    eyes = tuple(layout.uv[model.contour(n)] for n in ("right_eye_0", "left_eye_0"))
    tris = delaunay(layout.uv, np.array(sorted(keep)), ring, eyes)
    tris.flags.writeable = False
    return tris


class Smoother:
    """Exponential smoothing of per-face values, matched frame to frame by nearest position.

    ``amount`` 0 means no smoothing; 0.9 means heavy. Faces that vanish are forgotten.
    """

    def __init__(self, amount: float) -> None:
        self.amount = amount
        self._tracks: list[np.ndarray] = []

    def update(self, values: list[np.ndarray]) -> list[np.ndarray]:
        """values[i][:2] must be a position; returns the smoothed values in the same order."""
        out, free = [], list(self._tracks)
        for v in values:
            best = None
            if free:
                dists = [np.hypot(*(f[:2] - v[:2])) for f in free]
                k = int(np.argmin(dists))
                if dists[k] < max(40.0, float(v[2]) if v.size > 2 else 40.0):
                    best = free.pop(k)
            if best is None:
                out.append(v.copy())
            else:
                diff = v - best
                if v.size > 3:  # keep angles continuous
                    diff[3] = (diff[3] + math.pi) % (2 * math.pi) - math.pi
                out.append(best + (1 - self.amount) * diff)
        self._tracks = out
        return [o.copy() for o in out]

    def reset(self) -> None:
        self._tracks = []
