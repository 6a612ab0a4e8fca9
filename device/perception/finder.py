"""FaceFinder: which detector looks where, frame by frame (``[perception] detector``).

* ``short``: the short-range detector on the whole picture (faces within about 2 m).
* ``full``: the full-range detector on one scan region per call (``regions.scan_regions``: the whole
  picture, then tiles), for guests 1-4 m away.
* ``auto`` (default): the short-range detector first; only when it finds nothing, the full-range
  detector's next scan region. Near guests cost what they always did; far ones are found within one pass
  over the regions.

A region where the full-range detector found a face is looked at again on the next call, so a faces-only
effect keeps a far face every frame. Once a face mesh tracks a face the detector is not asked again
(``tracking``), as before. Whole-picture passes use the low-resolution analysis stream when there is one;
tiles are cut from the full frame, because a far face has few pixels to spare.

Usage::

    finder = FaceFinder("auto", near=FaceDetector(...), far=FaceDetector(..., grid=FULL_RANGE))
    rows, scores = finder.find(frame)      # frame pixels, xyxy + 6 keypoints
    finder.last                            # "short", "full 3/10", ...
"""

from __future__ import annotations

import numpy as np

from magicbooth.core.errors import ConfigError
from magicbooth.core.frames import Frame
from magicbooth.perception.detector import FaceDetector
from magicbooth.perception.regions import Region, scan_regions

MODES = ("auto", "short", "full")


class FaceFinder:
    """Runs the detectors ``mode`` asks for; see the module docstring."""

    def __init__(self, mode: str, near: FaceDetector | None = None, far: FaceDetector | None = None) -> None:
        if mode not in MODES:
            raise ConfigError(f"[perception] detector = {mode!r}: expected one of {', '.join(MODES)}")
        for needed, given, kind in ((mode != "full", near, "short"), (mode != "short", far, "full")):
            if needed and given is None:
                raise ValueError(f"detector mode {mode!r} needs the {kind}-range detector")
        self.mode = mode
        self.near = near
        self.far = far
        self.calls = 0
        self.far_calls = 0
        self.last = ""
        self._regions: tuple[Region, ...] = ()
        self._next = 0

    def find(self, frame: Frame) -> tuple[np.ndarray, np.ndarray]:
        """Faces in ``frame`` as (rows (K, 16) in frame pixels, scores (K,))."""
        self.calls += 1
        if self.near is not None and self.mode != "full":
            rows, scores = self._whole(self.near, frame)
            self.last = "short"
            if len(scores) or self.mode == "short":
                return rows, scores
        return self._scan(frame)

    def _scan(self, frame: Frame) -> tuple[np.ndarray, np.ndarray]:
        assert self.far is not None
        self.far_calls += 1
        if not self._regions or self._regions[0].box != (0, 0, *frame.size):
            self._regions, self._next = scan_regions(*frame.size), 0
        index = self._next % len(self._regions)
        region = self._regions[index]
        if region.whole:
            rows, scores = self._whole(self.far, frame)
        else:
            rows, scores = self.far.detect(frame.image[region.y0:region.y1, region.x0:region.x1])
            rows = rows + np.tile(np.array([region.x0, region.y0], np.float32), rows.shape[1] // 2)
        self.last = f"full {index + 1}/{len(self._regions)}"
        if not len(scores):
            self._next = index + 1  # nothing here: the next region next time; else look here again
        return rows, scores

    @staticmethod
    def _whole(detector: FaceDetector, frame: Frame) -> tuple[np.ndarray, np.ndarray]:
        """The whole picture, on the low-resolution stream when there is one."""
        if frame.lores is None:
            return detector.detect(frame.image)
        rows, scores = detector.detect(frame.lores)
        return rows * (frame.size[0] / frame.lores.shape[1]), scores
