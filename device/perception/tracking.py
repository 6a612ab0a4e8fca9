"""Face tracking from the previous mesh, as MediaPipe's face mesh does.

Once a face has a mesh, the next frame's crop comes from that mesh, so the
detector is not needed again until a face is lost, or, while fewer than
``max_faces`` are tracked, every ``redetect_every`` frames to pick up new ones.
Keypoints and landmarks are smoothed with a One-Euro filter per track.

Where the picture allows, the mesh model does not run at all: a face that kept still or only
moved as a whole since the model last saw it gets its last mesh, carried by that motion
(``meshreuse``), for at most ``reuse`` frames in a row.

Offline use (live mode runs the detector on its own thread and calls ``seed``):

Usage::

    tracker = FaceTracker(landmarker, max_faces=2)
    if tracker.wants_detection:
        tracker.seed(*detector.detect(frame.image))
    faces, meshes = tracker.update(frame.image, frame.t)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from magicbooth.core.scene import KEYPOINT_NAMES, Face, FaceMesh
from magicbooth.perception.anchors import iou
from magicbooth.perception.landmarker import FaceLandmarker
from magicbooth.perception.meshreuse import Reference, carry
from magicbooth.perception.one_euro import OneEuroFilter
from magicbooth.perception.roi import LEFT_EYE_CORNER, RIGHT_EYE_CORNER, Roi

# Mesh points whose mean gives each of the detector's six keypoints.
MESH_KEYPOINTS: dict[str, tuple[int, ...]] = {
    "right_eye": (33, 133, 159, 145),
    "left_eye": (263, 362, 386, 374),
    "nose_tip": (1,),
    "mouth_center": (13, 14),
    "right_ear_tragion": (234,),
    "left_ear_tragion": (454,),
}
SAME_FACE_IOU = 0.5


@dataclass(frozen=True, slots=True)
class Smoothing:
    """One-Euro settings; ``enabled`` False passes values through."""

    enabled: bool = True
    min_cutoff: float = 1.0
    beta: float = 5.0

    def new_filter(self) -> OneEuroFilter | None:
        return OneEuroFilter(self.min_cutoff, self.beta) if self.enabled else None


@dataclass(slots=True)
class _Track:
    roi: Roi
    filter: OneEuroFilter | None
    box: np.ndarray = field(default_factory=lambda: np.zeros(4, np.float32))
    seen: Reference | None = None      # the face when the model last ran on it
    raw: np.ndarray | None = None      # the model's points then (unsmoothed)
    presence: float = 0.0
    reused: int = 0                    # frames in a row answered without the model
    runs: int = 0                      # model runs on this track (the first crop comes from the detector)


class FaceTracker:
    """Holds the tracked faces between frames; see the module docstring."""

    def __init__(self, landmarker: FaceLandmarker, *, max_faces: int = 2, redetect_every: int = 10,
                 min_presence: float = 0.5, smoothing: Smoothing = Smoothing(), reuse: int = 0) -> None:
        self.landmarker = landmarker
        self.reuse = reuse
        self.reused = 0  # meshes given without running the model (tests, counts)
        self.max_faces = max_faces
        self.redetect_every = redetect_every
        self.min_presence = min_presence
        self.smoothing = smoothing
        self._tracks: list[_Track] = []
        self._since_detection = 0

    @property
    def count(self) -> int:
        """Faces currently tracked."""
        return len(self._tracks)

    @property
    def wants_detection(self) -> bool:
        """True when the detector should run on the next frame."""
        if not self._tracks:
            return True
        return len(self._tracks) < self.max_faces and self._since_detection >= self.redetect_every

    def seed(self, rows: np.ndarray, scores: np.ndarray) -> None:
        """Start tracks from detector rows (xyxy + keypoints, pixels), skipping faces already tracked."""
        self._since_detection = 0
        for row in rows[np.argsort(-scores)]:
            if len(self._tracks) >= self.max_faces:
                break
            box = row[:4]
            if any(_inside(box, t.box) for t in self._tracks):
                continue
            roi = Roi.from_face(box, row[4:6], row[6:8])
            self._tracks.append(_Track(roi, self.smoothing.new_filter(), box.copy()))

    def update(self, image: np.ndarray, t: float) -> tuple[tuple[Face, ...], tuple[FaceMesh, ...]]:
        """Run the mesh on every track; drop lost faces; move each crop to follow its face."""
        self._since_detection += 1
        faces, meshes = [], []
        kept: list[_Track] = []
        for track in self._tracks:
            points, presence = self._landmarks(image, track)
            if presence < self.min_presence:
                continue
            box = np.concatenate([points[:, :2].min(axis=0), points[:, :2].max(axis=0)])
            if any(iou(box, other.box[None])[0] > SAME_FACE_IOU for other in kept):
                continue  # two tracks converged on one face
            track.box = box
            track.roi = Roi.from_landmarks(points)
            if track.filter is not None:
                scale = float(np.linalg.norm(points[LEFT_EYE_CORNER, :2] - points[RIGHT_EYE_CORNER, :2]))
                points = track.filter(points, t, scale)
            kept.append(track)
            meshes.append(FaceMesh(points, float(presence)))
            faces.append(face_from_mesh(points, float(presence)))
        self._tracks = kept
        return tuple(faces), tuple(meshes)

    def _landmarks(self, image: np.ndarray, track: _Track) -> tuple[np.ndarray, float]:
        """The model's mesh for this track, or its last one carried, where the face only moved or kept still."""
        if track.seen is not None and track.raw is not None and track.reused < self.reuse and track.runs > 1:
            motion = track.seen.motion(image)
            if motion is not None:
                track.reused += 1
                self.reused += 1
                return carry(track.raw, motion), track.presence
        points, presence = self.landmarker.landmarks(image, track.roi)
        track.reused, track.raw, track.presence = 0, points, presence
        track.runs += 1
        track.seen = Reference.take(image, Roi.from_landmarks(points)) if self.reuse > 0 else None
        return points, presence

    def reset(self) -> None:
        """Forget every track (a new clip or a scene cut)."""
        self._tracks = []
        self._since_detection = 0


def face_from_mesh(points: np.ndarray, score: float) -> Face:
    """A ``Face`` whose box bounds the mesh and whose keypoints are means of mesh points."""
    lo, hi = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    keypoints = {name: _mean_point(points[list(idx), :2]) for name, idx in MESH_KEYPOINTS.items()}
    return Face((float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])), score,
                {name: keypoints[name] for name in KEYPOINT_NAMES})


def _mean_point(points: np.ndarray) -> tuple[float, float]:
    x, y = points.mean(axis=0)
    return float(x), float(y)


def _inside(box: np.ndarray, other: np.ndarray) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return bool(other[0] <= cx <= other[2] and other[1] <= cy <= other[3])


class DetectionSmoother:
    """One-Euro smoothing of detector rows when no mesh runs; matches faces to the last frame by overlap."""

    def __init__(self, smoothing: Smoothing = Smoothing()) -> None:
        self.smoothing = smoothing
        self._previous: list[tuple[np.ndarray, OneEuroFilter]] = []

    def __call__(self, rows: np.ndarray, t: float) -> np.ndarray:
        if not self.smoothing.enabled:
            return rows
        out, current = np.empty_like(rows), []
        free = list(self._previous)
        for i, row in enumerate(rows):
            overlaps = [float(iou(row[:4], box[None, :4])[0]) for box, _ in free]
            best = int(np.argmax(overlaps)) if overlaps else -1
            if best >= 0 and overlaps[best] > 0.3:
                _, filt = free.pop(best)
            else:
                filt = OneEuroFilter(self.smoothing.min_cutoff, self.smoothing.beta)
            out[i] = filt(row, t, scale=float(row[2] - row[0]))
            current.append((row, filt))
        self._previous = current
        return out
