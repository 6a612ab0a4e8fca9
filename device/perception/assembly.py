"""Perception: frames in, ``Scene`` out, running only the models the effect needs.

Offline (files, tests): ``process(frame)`` runs detector, mesh and mask in
order on every frame, deterministically.

Live (camera): ``start()``, then ``submit(frame)`` for each frame and
``scene_for(frame)`` to draw it; each model has its own thread and the newest
result wins, so neither call ever waits for a model.

Usage::

    perception = Perception(config, needs={"faces", "mask"})
    scene = perception.process(frame)                      # offline: every model on this frame
    perception.start()                                     # live: one thread per model
    perception.submit(frame)
    scene = perception.scene_for(frame)                    # the newest results, never waiting
    perception.stop(timeout=2.0)
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from magicbooth.core.config import Config, PerceptionConfig
from magicbooth.core.errors import EffectError, ModelError, WorkerError
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Face, FaceMesh, Scene
from magicbooth.perception.anchors import FULL_RANGE, SHORT_RANGE, AnchorGrid
from magicbooth.perception.boxtrack import BoxTracker
from magicbooth.perception.detector import FaceDetector, to_faces
from magicbooth.perception.finder import FaceFinder
from magicbooth.perception.landmarker import FaceLandmarker
from magicbooth.perception.loading import open_model
from magicbooth.perception.model import ModelIO
from magicbooth.perception.quality import PerceptionQuality
from magicbooth.perception.segmenter import MaskOptions, Segmenter
from magicbooth.perception.tracking import DetectionSmoother, FaceTracker, Smoothing
from magicbooth.perception.workers import ModelWorker

log = logging.getLogger(__name__)
NEEDS = frozenset({"faces", "mesh", "mask"})
Opener = Callable[[str], ModelIO]


@dataclass(frozen=True, slots=True)
class _Faces:
    faces: tuple[Face, ...]
    meshes: tuple[FaceMesh, ...]


class Perception:
    """The perception stage; see the module docstring for the two modes."""

    def __init__(self, config: Config, needs: Iterable[str], *, opener: Opener | None = None) -> None:
        self._config = config
        self._opener: Opener = opener or (lambda kind: open_model(kind, config))
        self._models: list[ModelIO] = []
        self._quality = PerceptionQuality()
        self._mesh_turn = 0
        self._detector: FaceFinder | None = None
        self._tracker: FaceTracker | None = None
        self._segmenter: Segmenter | None = None
        opts = config.perception
        self._smoothing = Smoothing(opts.smoothing, opts.smoothing_min_cutoff, opts.smoothing_beta)
        self._smoother = DetectionSmoother(self._smoothing)
        self._boxes = BoxTracker(opts.detect_every) if opts.detect_every > 1 else None
        self._workers: list[ModelWorker] = []
        self._detections: tuple[int, np.ndarray, np.ndarray] | None = None
        self._detections_lock = threading.Lock()
        self.needs: frozenset[str] = frozenset()
        self.set_needs(needs)

    def set_needs(self, needs: Iterable[str]) -> None:
        """Switch to another effect's needs ("mesh" implies "faces").

        Models load on first use and stay loaded, so switching back is instant;
        live workers restart with the new set.
        """
        wanted = frozenset(needs)
        if wanted - NEEDS:
            raise EffectError(f"unknown perception needs {sorted(wanted - NEEDS)}; expected a subset of "
                              f"{sorted(NEEDS)}")
        if "mesh" in wanted:
            wanted |= {"faces"}
        opts = self._config.perception
        if "faces" in wanted and self._detector is None:
            self._detector = self._finder(opts)
        if "mesh" in wanted and self._tracker is None:
            self._tracker = FaceTracker(FaceLandmarker(self._open("landmarks")), max_faces=opts.max_faces,
                                        redetect_every=opts.redetect_every, min_presence=opts.min_presence,
                                        smoothing=self._smoothing, reuse=opts.mesh_reuse)
        if "mask" in wanted and self._segmenter is None:
            self._segmenter = Segmenter(self._open, mask_options(opts))
            self._apply_mask_quality()
        running = self.is_running
        if running:
            self.stop()
        self.needs = wanted
        if running:
            self.start()

    @property
    def quality(self) -> PerceptionQuality:
        """How cheaply perception runs now (the quality governor's knobs)."""
        return self._quality

    def set_quality(self, quality: PerceptionQuality) -> None:
        """Run the mask and mesh on fewer frames, or the models on fewer threads; live workers keep running."""
        self._quality = quality
        for model in self._models:
            model.threads = quality.threads
        self._apply_mask_quality()

    def _apply_mask_quality(self) -> None:
        if self._segmenter is not None:
            configured = mask_options(self._config.perception)
            self._segmenter.options = dataclasses.replace(
                configured, every=max(configured.every, self._quality.mask_every))

    def _open(self, kind: str) -> ModelIO:
        """Open a model, remembered so a change of thread count reaches it."""
        model = self._opener(kind)
        model.threads = self._quality.threads
        self._models.append(model)
        return model

    @property
    def detector(self) -> FaceFinder | None:
        """The face detectors (``[perception] detector``) while faces are needed."""
        return self._detector if "faces" in self.needs else None

    @property
    def tracker(self) -> FaceTracker | None:
        """The mesh tracker while the mesh is needed."""
        return self._tracker if "mesh" in self.needs else None

    @property
    def segmenter(self) -> Segmenter | None:
        """The segmenter while the mask is needed."""
        return self._segmenter if "mask" in self.needs else None

    # ---- offline -------------------------------------------------------------------------------
    def process(self, frame: Frame) -> Scene:
        """Run every needed model on this frame, in order, and return its scene."""
        timings: dict[str, float] = {}
        faces: tuple[Face, ...] = ()
        meshes: tuple[FaceMesh, ...] = ()
        mask = None
        if self.tracker is not None:
            timings["detect"] = 0.0
            if self.tracker.wants_detection:
                rows, scores, timings["detect"] = self._detect(frame)
                self.tracker.seed(rows, scores)
            result, timings["landmarks"] = _timed(lambda: self._track(frame))
            faces, meshes = result.faces, result.meshes
        elif self.detector is not None:
            rows, scores, timings["detect"] = self._detect_or_follow(frame)
            faces = to_faces(self._smoother(rows, frame.t), scores)
        if self.segmenter is not None:
            seen = faces if self.detector is not None else None
            mask, timings["segment"] = _timed(lambda: self._segment(frame, seen))
        return Scene(frame, faces, meshes, mask, timings)

    def process_still(self, frame: Frame) -> Scene:
        """One unrelated image: detector faces (unsmoothed) and, in the same order, their meshes.

        Tracking and temporal smoothing are reset, since a still has no past.
        """
        timings: dict[str, float] = {}
        faces: tuple[Face, ...] = ()
        meshes: tuple[FaceMesh | None, ...] = ()
        mask = None
        if self.detector is not None:
            rows, scores, timings["detect"] = self._detect(frame)
            faces = to_faces(rows, scores)
            if self._boxes is not None:
                self._boxes.reset()
            if self.tracker is not None:
                self.tracker.reset()
                self.tracker.seed(rows, scores)
                found, timings["landmarks"] = _timed(lambda: self._track(frame))
                meshes = tuple(mesh_for(face, found.meshes) for face in faces)
                self.tracker.reset()
        if self.segmenter is not None:
            self.segmenter.reset()
            seen = faces if self.detector is not None else None
            mask, timings["segment"] = _timed(lambda: self._segment(frame, seen))
            self.segmenter.reset()
        return Scene(frame, faces, tuple(m for m in meshes if m is not None), mask, timings)

    # ---- live ----------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        """True between ``start`` and ``stop``."""
        return bool(self._workers)

    @property
    def worker_names(self) -> tuple[str, ...]:
        """The live worker threads, by model: detect, landmarks, segment."""
        return tuple(w.name for w in self._workers)

    @property
    def dropped(self) -> dict[str, int]:
        """Frames each live worker skipped because a newer one arrived first."""
        return {w.name: w.dropped for w in self._workers}

    def start(self) -> None:
        """Start one worker thread per needed model."""
        if self._workers:
            raise WorkerError("perception already started")
        if self.tracker is not None:
            self._workers.append(ModelWorker("detect", self._live_detect_for_tracker))
            self._workers.append(ModelWorker("landmarks", self._live_track))
        elif self.detector is not None:
            self._workers.append(ModelWorker("detect", self._live_detect))
        if self.segmenter is not None:
            self._workers.append(ModelWorker("segment", self._live_segment))
        for worker in self._workers:
            worker.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every worker; raises ``WorkerError`` naming any thread that will not end."""
        stuck = []
        for worker in self._workers:
            worker.stopping.set()
        for worker in self._workers:
            try:
                worker.stop(timeout)
            except WorkerError as exc:
                stuck.append(str(exc))
        self._workers = []
        if stuck:
            raise WorkerError("; ".join(stuck))

    def submit(self, frame: Frame) -> None:
        """Offer a frame to every worker; never blocks."""
        for worker in self._workers:
            worker.submit(frame)

    def scene_for(self, frame: Frame) -> Scene:
        """The newest results from every worker, attached to ``frame``; never blocks."""
        workers = {w.name: w for w in self._workers}
        timings = {name: w.last_ms for name, w in workers.items()}
        faces: tuple[Face, ...] = ()
        meshes: tuple[FaceMesh, ...] = ()
        if "landmarks" in workers:
            tracked = workers["landmarks"].latest
            if tracked is not None:
                faces, meshes = tracked.faces, tracked.meshes
        elif "detect" in workers and workers["detect"].latest is not None:
            faces = workers["detect"].latest
        mask = workers["segment"].latest if "segment" in workers else None
        if mask is not None and mask.shape[::-1] != frame.size:
            mask = None  # from before a change of frame size
        return Scene(frame, faces, meshes, mask, timings)

    def wait_for(self, index: int, timeout: float) -> bool:
        """Block until every worker has handled frame ``index`` or later (tests and benchmarks)."""
        return all(w.wait_for_result(index, timeout) for w in self._workers)

    def __enter__(self) -> Perception:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._workers:
            self.stop()

    # ---- steps ---------------------------------------------------------------------------------
    def _finder(self, opts: PerceptionConfig) -> FaceFinder:
        def detector(kind: str, grid: AnchorGrid = SHORT_RANGE) -> FaceDetector:
            return FaceDetector(self._open(kind), min_score=opts.min_face_score, iou_threshold=opts.nms_iou,
                                max_faces=opts.max_faces, grid=grid)

        near = detector("detector") if opts.detector != "full" else None
        if opts.detector == "short":
            return FaceFinder("short", near=near)
        try:
            far = detector("far_detector", grid=FULL_RANGE)
        except ModelError as exc:
            if opts.detector == "full":
                raise
            log.warning("full-range face detector unavailable, so faces beyond about 2 m are not found: %s", exc)
            return FaceFinder("short", near=near)
        return FaceFinder(opts.detector, near=near, far=far)

    def _detect(self, frame: Frame) -> tuple[np.ndarray, np.ndarray, float]:
        assert self.detector is not None
        started = time.perf_counter()
        rows, scores = self.detector.find(frame)
        return rows, scores, (time.perf_counter() - started) * 1000

    def _detect_or_follow(self, frame: Frame) -> tuple[np.ndarray, np.ndarray, float]:
        """Faces without a mesh: the detector's rows, or the last ones followed to this frame (``boxtrack``)."""
        if self._boxes is None:
            return self._detect(frame)
        started = time.perf_counter()
        small = self._boxes.picture(_analysis_image(frame)[0])
        followed = None if self._boxes.wants_detection else self._boxes.follow(small)
        if followed is not None:
            return followed[0], followed[1], (time.perf_counter() - started) * 1000
        rows, scores, _ = self._detect(frame)
        self._boxes.seed(small, rows, scores, frame.size[0])
        return rows, scores, (time.perf_counter() - started) * 1000

    def _track(self, frame: Frame) -> _Faces:
        assert self.tracker is not None
        faces, meshes = self.tracker.update(frame.image, frame.t)
        return _Faces(faces, meshes)

    def _segment(self, frame: Frame, faces: tuple[Face, ...] | None = None) -> np.ndarray:
        """The mask; ``faces`` None when no detector runs (the clean-up then goes by size alone)."""
        assert self.segmenter is not None
        image, _ = _analysis_image(frame)
        return self.segmenter.segment(image, frame.size, None if faces is None else [face.box for face in faces])

    def _live_segment(self, frame: Frame) -> np.ndarray:
        """The mask worker's step: the clean-up takes the newest faces any worker has (never waits for one)."""
        return self._segment(frame, self._newest_faces())

    def _newest_faces(self) -> tuple[Face, ...] | None:
        """The newest faces of the face workers; None while they have none yet (or none run)."""
        for worker in self._workers:
            latest = worker.latest
            if worker.name == "landmarks" and isinstance(latest, _Faces):
                return latest.faces
            if worker.name == "detect" and isinstance(latest, tuple):
                return latest
        return None

    def _live_detect(self, frame: Frame) -> tuple[Face, ...]:
        rows, scores, _ = self._detect_or_follow(frame)
        return to_faces(self._smoother(rows, frame.t), scores)

    def _live_detect_for_tracker(self, frame: Frame) -> bool | None:
        """Detect only while the tracker asks for it; hand the rows to the landmark worker."""
        assert self.tracker is not None
        if not self.tracker.wants_detection:
            return None
        rows, scores, _ = self._detect(frame)
        with self._detections_lock:
            self._detections = (frame.index, rows, scores)
        return True

    def _live_track(self, frame: Frame) -> _Faces | None:
        assert self.tracker is not None
        self._mesh_turn += 1
        every = self._quality.mesh_every
        with self._detections_lock:
            if every > 1 and self._mesh_turn % every and self.tracker.count and self._detections is None:
                return None  # a frame the mesh sits out: the newest meshes stand (the worker keeps them)
            fresh, self._detections = self._detections, None
        if fresh is not None and self.tracker.wants_detection:
            self.tracker.seed(fresh[1], fresh[2])
        return self._track(frame)


def mesh_for(face: Face, meshes: tuple[FaceMesh, ...]) -> FaceMesh | None:
    """The mesh whose bounds hold the centre of this detection, if any."""
    x, y, w, h = face.box
    cx, cy = x + w / 2, y + h / 2
    for mesh in meshes:
        lo, hi = mesh.points[:, :2].min(axis=0), mesh.points[:, :2].max(axis=0)
        if lo[0] <= cx <= hi[0] and lo[1] <= cy <= hi[1]:
            return mesh
    return None


def mask_options(opts: PerceptionConfig) -> MaskOptions:
    """The segmenter's options from the ``[perception]`` config section."""
    return MaskOptions(model=opts.segmentation_model, threshold=opts.mask_threshold, smoothing=opts.mask_smoothing,
                       motion=opts.mask_motion, min_blob=opts.mask_min_blob, body=opts.mask_body,
                       refine=opts.mask_refine, full_guide=opts.mask_full_guide, grid=opts.mask_grid,
                       radius=opts.mask_radius, eps=opts.mask_eps,
                       gain=opts.mask_gain,
                       still_frames=opts.mask_still_frames, every=opts.mask_every,
                       skip_change=opts.mask_skip_change)


def _analysis_image(frame: Frame) -> tuple[np.ndarray, float]:
    """The image to detect and segment on (the low-res stream if any) and its scale to frame pixels."""
    if frame.lores is None:
        return frame.image, 1.0
    return frame.lores, frame.size[0] / frame.lores.shape[1]


def _timed(step: Callable[[], object]) -> tuple:
    started = time.perf_counter()
    result = step()
    return result, (time.perf_counter() - started) * 1000
