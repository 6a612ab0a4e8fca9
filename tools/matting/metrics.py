"""Matting metrics: alpha error, boundary IoU, soft-band width, flicker and ghosts.

All take float32 alphas in 0..1 at the same size. Definitions:

- **MAE**: mean |α − α*| over all pixels, and over the band within 10 px of the true edge.
- **Boundary IoU** (Cheng et al., 2021): IoU of the two masks (α > 0.5) restricted to the pixels
  within d = 2 % of the image diagonal of each mask's own contour.
- **Band width**: pixels that are neither background nor person (0.05 < α < 0.95), divided by
  the length of the true edge: how many pixels wide the half-transparent band is on average.
- **Flicker**: mean |αₜ − αₜ₋₁| over the frame, on a clip where nothing moves.
- **Ghosts**: pixels the person left at least two frames ago (true α ≥ 0.5 two frames back,
  0 now, more than 10 px from the true edge, whose band the edge MAE covers); the share of them
  still at α ≥ 0.1.
"""

from __future__ import annotations

import cv2
import numpy as np

SOFT = (0.05, 0.95)


def _edge_distance(alpha: np.ndarray) -> np.ndarray:
    """Distance of each pixel to the edge of the mask α > 0.5 (inside and outside)."""
    solid = (alpha > 0.5).astype(np.uint8)
    inside = cv2.distanceTransform(solid, cv2.DIST_L2, 3)
    outside = cv2.distanceTransform(1 - solid, cv2.DIST_L2, 3)
    return np.maximum(inside, outside)


def mae(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(all pixels, within 10 px of the true edge)."""
    err = np.abs(pred - truth)
    near = _edge_distance(truth) <= 10
    return float(err.mean()), float(err[near].mean()) if near.any() else 0.0


def boundary_iou(pred: np.ndarray, truth: np.ndarray, ratio: float = 0.02) -> float:
    h, w = truth.shape
    d = max(1, round(ratio * np.hypot(h, w)))

    def boundary(mask: np.ndarray) -> np.ndarray:
        solid = mask.astype(np.uint8)
        inner = cv2.erode(solid, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * d + 1, 2 * d + 1)),
                          borderType=cv2.BORDER_CONSTANT, borderValue=0)
        return solid.astype(bool) & ~inner.astype(bool)

    p, t = pred > 0.5, truth > 0.5
    bp, bt = boundary(p) , boundary(t)
    inter = (bp & bt & p & t).sum()  # both boundary regions, and inside both masks
    union = ((bp & p) | (bt & t)).sum()
    return float(inter / union) if union else 1.0


def edge_length(truth: np.ndarray) -> float:
    solid = (truth > 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(solid, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    h, w = truth.shape
    total = 0.0
    for c in contours:
        pts = c[:, 0, :]
        on_border = (pts[:, 0] == 0) | (pts[:, 1] == 0) | (pts[:, 0] == w - 1) | (pts[:, 1] == h - 1)
        total += float((~on_border).sum())  # the frame's own edge is not an edge of the person
    return total


def band_width(pred: np.ndarray, truth: np.ndarray) -> float:
    soft = ((pred > SOFT[0]) & (pred < SOFT[1])).sum()
    return float(soft / max(edge_length(truth), 1.0))


def soft_share(pred: np.ndarray) -> float:
    """Share of the frame that is half-transparent."""
    return float(((pred > SOFT[0]) & (pred < SOFT[1])).mean())


def flicker(previous: np.ndarray, pred: np.ndarray) -> float:
    return float(np.abs(pred - previous).mean())


def ghost_pixels(truth_before2: np.ndarray, truth_now: np.ndarray) -> np.ndarray:
    """Where the person was two frames ago and is clearly not now."""
    left = (truth_before2 >= 0.5) & (truth_now <= 0.0)
    return left & (_edge_distance(truth_now) > 10)


def ghosts(pred: np.ndarray, left: np.ndarray) -> tuple[int, int]:
    """(pixels still at α ≥ 0.1, pixels the person left)."""
    return int((pred[left] >= 0.1).sum()), int(left.sum())
