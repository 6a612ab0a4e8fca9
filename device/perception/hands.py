"""Hand tracking for gestures: palms found once, then 21 landmarks followed from frame to frame.

As MediaPipe's hand tracking does: while no hand is tracked the palm detector looks
for one (on the low-resolution analysis stream when there is one); each tracked hand's
next crop comes from its own landmarks, so the detector rests while a hand stays in view.
``HandWatcher`` runs it on its own thread for the live booth, only while the booth asks.

Usage::

    tracker = HandTracker(PalmDetector(open_model("palm", config)), HandLandmarker(open_model("hand", config)))
    hands = tracker.update(frame)                 # offline: in order, every frame

    watcher = HandWatcher(tracker)                # live: newest frame wins, never blocks the caller
    watcher.start(); watcher.submit(frame); seen = watcher.latest; watcher.stop()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from magicbooth.core.config import Config
from magicbooth.core.errors import ModelError
from magicbooth.core.frames import Frame
from magicbooth.inference.loader import load_model
from magicbooth.perception.anchors import iou
from magicbooth.perception.handmarks import HandLandmarker
from magicbooth.perception.loading import open_model
from magicbooth.perception.palms import PalmDetector, roi_from_landmarks, roi_from_palm
from magicbooth.perception.roi import Roi
from magicbooth.perception.workers import ModelWorker

WRIST, MIDDLE_MCP = 0, 9
PALM_POINTS = (0, 5, 9, 13, 17)       # wrist and the four knuckles: the palm's centre
SAME_HAND_IOU = 0.5


@dataclass(frozen=True, slots=True)
class Hand:
    """One tracked hand in frame pixels."""

    points: np.ndarray        # (21, 3): x, y, z (z relative, at x scale)
    presence: float
    right: float              # 0..1, right hand in a mirrored picture (MediaPipe's handedness)

    @property
    def palm_size(self) -> float:
        """Wrist to middle knuckle in pixels: the hand's own length scale."""
        return float(np.linalg.norm(self.points[MIDDLE_MCP, :2] - self.points[WRIST, :2]))

    @property
    def centre(self) -> tuple[float, float]:
        """The middle of the palm (wrist and knuckles)."""
        x, y = self.points[list(PALM_POINTS), :2].mean(axis=0)
        return float(x), float(y)


@dataclass(frozen=True, slots=True)
class SeenHands:
    """The hands found in one frame: when (frame time) and the frame's size."""

    t: float
    index: int
    size: tuple[int, int]
    hands: tuple[Hand, ...] = ()


@dataclass(slots=True)
class _Track:
    roi: Roi
    box: np.ndarray = field(default_factory=lambda: np.zeros(4, np.float32))


class HandTracker:
    """Palms -> hand crops -> landmarks, tracked across frames; see the module docstring."""

    def __init__(self, palms: PalmDetector, landmarker: HandLandmarker, *, max_hands: int = 2,
                 min_presence: float = 0.5, redetect_every: int = 15) -> None:
        self.palms = palms
        self.landmarker = landmarker
        self.max_hands = max_hands
        self.min_presence = min_presence
        self.redetect_every = redetect_every
        self._tracks: list[_Track] = []
        self._since_detection = 0

    @property
    def count(self) -> int:
        """Hands currently tracked."""
        return len(self._tracks)

    @property
    def wants_detection(self) -> bool:
        """True when the palm detector should run on this frame."""
        if not self._tracks:
            return True
        return len(self._tracks) < self.max_hands and self._since_detection >= self.redetect_every

    def update(self, frame: Frame) -> SeenHands:
        """Detect palms if needed, run the landmarks on every track, and move each crop to follow its hand."""
        if self.wants_detection:
            image, scale = (frame.image, 1.0) if frame.lores is None else (frame.lores,
                                                                          frame.size[0] / frame.lores.shape[1])
            rows, scores = self.palms.detect(image)
            self._seed(rows * scale, scores)
        self._since_detection += 1
        hands: list[Hand] = []
        kept: list[_Track] = []
        for track in self._tracks:
            points, presence, right = self.landmarker.landmarks(frame.image, track.roi)
            if presence < self.min_presence:
                continue
            box = np.concatenate([points[:, :2].min(axis=0), points[:, :2].max(axis=0)])
            if any(iou(box, other.box[None])[0] > SAME_HAND_IOU for other in kept):
                continue   # two tracks converged on one hand
            track.box = box
            track.roi = roi_from_landmarks(points)
            kept.append(track)
            hands.append(Hand(points, presence, right))
        self._tracks = kept
        return SeenHands(frame.t, frame.index, frame.size, tuple(hands))

    def reset(self) -> None:
        """Forget every hand (the booth stopped watching)."""
        self._tracks = []
        self._since_detection = 0

    def _seed(self, rows: np.ndarray, scores: np.ndarray) -> None:
        self._since_detection = 0
        for row in rows[np.argsort(-scores)]:
            if len(self._tracks) >= self.max_hands:
                break
            centre = ((row[0] + row[2]) / 2, (row[1] + row[3]) / 2)
            if any(t.box[0] <= centre[0] <= t.box[2] and t.box[1] <= centre[1] <= t.box[3] for t in self._tracks):
                continue
            self._tracks.append(_Track(roi_from_palm(row), row[:4].copy()))


HAND_MODELS = ("palm_detection_lite", "hand_landmark_lite")


def models_available(models_dir: Path | None = None) -> tuple[bool, str]:
    """Whether the hand models load (manifest-checked), and a line saying so (``effects``, ``doctor``)."""
    try:
        loaded = [load_model(name, threads=1, models_dir=models_dir) for name in HAND_MODELS]
    except ModelError as exc:
        return False, str(exc)
    return True, ", ".join(f"{m.name} int8 ({m.delegation.describe()})" for m in loaded)


def open_tracker(config: Config) -> HandTracker:
    """The hand tracker on the shipped int8 models (manifest-checked by the loader)."""
    return HandTracker(PalmDetector(open_model("palm", config)), HandLandmarker(open_model("hand", config)))


class HandWatcher:
    """The tracker on its own thread: ``submit`` frames, read ``latest``; ``start``/``stop`` as the booth asks.

    Stopping forgets the tracked hands, so a guest who comes back is found afresh.
    """

    def __init__(self, tracker: HandTracker) -> None:
        self.tracker = tracker
        self._worker: ModelWorker[SeenHands] | None = None

    @property
    def is_running(self) -> bool:
        return self._worker is not None

    @property
    def latest(self) -> SeenHands | None:
        """The newest result since ``start`` (None before the first)."""
        return self._worker.latest if self._worker is not None else None

    @property
    def last_ms(self) -> float:
        """How long the newest frame took on the worker."""
        return self._worker.last_ms if self._worker is not None else 0.0

    @property
    def error(self) -> BaseException | None:
        return self._worker.error if self._worker is not None else None

    def start(self) -> None:
        if self._worker is None:
            self.tracker.reset()
            self._worker = ModelWorker("hands", self.tracker.update)
            self._worker.start()

    def submit(self, frame: Frame) -> None:
        if self._worker is not None:
            self._worker.submit(frame)

    def wait_for(self, index: int, timeout: float) -> bool:
        """Block until frame ``index`` (or a later one) has been handled (tests, benchmarks)."""
        return self._worker is not None and self._worker.wait_for_result(index, timeout)

    def stop(self, timeout: float = 2.0) -> None:
        """End the thread; raises ``WorkerError`` if it will not."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout)
