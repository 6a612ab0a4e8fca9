"""Segmenter: the selfie model's person mask, cleaned up like obs-backgroundremoval.

Each clean-up step is an option (all in ``MaskOptions``): threshold, temporal
smoothing, removal of small blobs, feathered edges, run every N frames, and
skip when the frame has barely changed. Steps run at the model's resolution and
only the final alpha is scaled to the frame, which keeps them cheap.

Usage::

    segmenter = Segmenter(open_model("landscape", config), MaskOptions(threshold=0.5, smoothing=0.5))
    mask = segmenter.segment(frame.image)   # float32 H×W in 0..1
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.perception.model import ModelIO

VALUE_RANGE = (0.0, 1.0)
THUMB_SIZE = (32, 24)
_TO_UNIT = (np.arange(256) / 255.0).astype(np.float32)


@dataclass(frozen=True, slots=True)
class MaskOptions:
    """Mask clean-up; zero turns a step off (``every`` 1 runs on every frame)."""

    threshold: float = 0.5      # alpha > threshold becomes 1, else 0
    smoothing: float = 0.5      # weight of the previous mask in a running average
    min_blob: float = 0.01      # drop person blobs smaller than this fraction of the frame
    feather: float = 0.02       # edge blur, as a fraction of the mask width
    every: int = 1              # run the model on every Nth frame only
    skip_change: float = 0.0    # reuse the mask while the mean pixel change (0..255) stays below this


class Segmenter:
    """Person alpha for each frame, at frame size."""

    def __init__(self, model: ModelIO, options: MaskOptions = MaskOptions()) -> None:
        model.require("mask")
        self.model = model
        self.options = options
        self.calls = 0
        self._frames = 0
        self._previous: np.ndarray | None = None   # smoothed probabilities, model size
        self._mask: np.ndarray | None = None       # last output, frame size
        self._thumb: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the previous mask (a scene cut or a new clip)."""
        self._frames = 0
        self._previous = self._mask = self._thumb = None

    def segment(self, image: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
        """Float32 alpha in 0..1 for an RGB image, at ``size`` (w, h) or else the image's size.

        A smaller analysis image (picamera2's low-resolution stream) may be passed with the frame's size.
        """
        w, h = size or (image.shape[1], image.shape[0])
        self._frames += 1
        if self._can_reuse(image, (w, h)):
            assert self._mask is not None
            return self._mask
        self.calls += 1
        pixels = cv2.resize(image, self.model.input_size, interpolation=cv2.INTER_LINEAR)
        prob = np.asarray(self.model.run(pixels)["mask"], np.float32).reshape(pixels.shape[:2])
        alpha = self._clean(self._smooth(prob))
        # 8-bit alpha becomes float at model size (a table lookup), then one float resize to the frame:
        # linear interpolation of values in 0..1 stays in 0..1, so no clipping pass at frame size.
        mask = cv2.resize(cv2.LUT(alpha, _TO_UNIT), (w, h), interpolation=cv2.INTER_LINEAR)
        mask.flags.writeable = False  # reused on skipped frames and shared by scenes: effects must copy
        self._mask = mask
        return mask

    def _can_reuse(self, image: np.ndarray, size: tuple[int, int]) -> bool:
        opts = self.options
        if self._mask is None or self._mask.shape[::-1] != size:
            self._thumb = _thumbnail(image) if opts.skip_change > 0 else None
            return False
        if opts.every > 1 and (self._frames - 1) % opts.every:
            return True
        if opts.skip_change > 0:
            thumb = _thumbnail(image)
            if self._thumb is not None and float(cv2.absdiff(thumb, self._thumb).mean()) < opts.skip_change:
                return True
            self._thumb = thumb
        return False

    def _smooth(self, prob: np.ndarray) -> np.ndarray:
        weight = self.options.smoothing
        if weight > 0 and self._previous is not None and self._previous.shape == prob.shape:
            prob = cv2.addWeighted(self._previous, weight, prob, 1.0 - weight, 0.0)
        self._previous = prob
        return prob

    def _clean(self, prob: np.ndarray) -> np.ndarray:
        """Threshold, blob removal and feathering at model resolution, as 8-bit alpha (0..255)."""
        opts = self.options
        if opts.threshold > 0:
            alpha: np.ndarray = (prob > opts.threshold).view(np.uint8) * np.uint8(255)
        else:
            alpha = cv2.convertScaleAbs(prob, alpha=255.0)  # saturates, so overshoot stays in range
        if opts.min_blob > 0:
            alpha = remove_small_blobs(alpha, opts.min_blob)
        if opts.feather > 0:
            # Two box passes of width k approximate a Gaussian of sigma 0.41·k at a quarter of its cost.
            k = max(3, round(opts.feather * alpha.shape[1] / 0.408)) | 1
            alpha = cv2.blur(cv2.blur(alpha, (k, k)), (k, k))
        return alpha


def remove_small_blobs(alpha: np.ndarray, min_fraction: float) -> np.ndarray:
    """Zero the connected person regions (over half of full alpha) smaller than ``min_fraction`` of the image.

    Works on float alpha in 0..1 and 8-bit alpha in 0..255. Outer contours are
    several times cheaper than labelling every pixel, and a mask has only a
    handful of them.
    """
    half = 127 if alpha.dtype == np.uint8 else 0.5
    solid = (alpha > half).view(np.uint8)
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_area = min_fraction * alpha.size
    # Pixels in a blob ≈ polygon area through the boundary pixel centres + half the boundary + 1 (Pick).
    small = [c for c in contours if cv2.contourArea(c) + cv2.arcLength(c, True) / 2 + 1 < min_area]
    if not small:
        return alpha
    alpha = alpha.copy()
    cv2.drawContours(alpha, small, -1, 0, thickness=cv2.FILLED)
    return alpha


def _thumbnail(image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, THUMB_SIZE, interpolation=cv2.INTER_AREA)
