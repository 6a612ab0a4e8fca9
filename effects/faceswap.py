"""Paste one face onto another: mesh warp, colour transfer, two-band blend, live eyes and mouth.

The source is any image with the extended head mesh located in it (a character photo, or the
other guest in the same frame). Per destination face:

1. the source is warped triangle by triangle onto the guest's extended mesh (hairline to chin,
   ear to ear; every feature outline whole, cheeks and forehead coarser: ``coarse_head_triangles``),
   with a per-vertex weight that is 1 on the face, falls to 0 at the outer ring and opens holes at
   the eyes and inside the lips, so the guest's own eyes and mouth show;
2. its colours move towards the guest's in Lab (Reinhard: mean and spread of each channel over
   the face), lightness fully and hue as far as the source allows (an animal keeps its fur);
3. it is blended in two bands: fine detail with the weight itself, low frequencies (light,
   colour) with a widened weight, so no seam shows where the weights fall off. The low band is
   computed at a quarter of the resolution, which keeps this cheap enough for a Pi.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.effects.assets import face_model
from magicbooth.effects.blending import blend
from magicbooth.effects.faces import coarse_head_triangles, head_layout
from magicbooth.effects.meshwarp import WarpMaps, warp_maps

# Vertex weights at the feature contours: the guest shows through inside them.
EYE_CONTOURS = ("right_eye_0", "left_eye_0")
INNER_LIPS = "lips_1"


@dataclass(frozen=True)
class FaceSource:
    """A face to paste: an RGB image, the extended head points in it, and how far its hue may follow the guest."""

    image: np.ndarray
    points: np.ndarray
    hue_follow: float = 1.0


@functools.cache
def vertex_weights(eyes: float, mouth: float) -> np.ndarray:
    """Per-vertex paste weight of the extended mesh: 1 on the face, 0 on the ring, ``eyes``/``mouth`` at those rims."""
    layout, model = head_layout(), face_model()
    w = np.ones(layout.size, np.float32)
    w[468:] = 0.0
    for name in EYE_CONTOURS:
        w[model.contour(name)] = eyes
    w[model.contour(INNER_LIPS)] = mouth
    w.flags.writeable = False
    return w


def lab_stats(image: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation per Lab channel where ``mask`` (uint8) is set."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2Lab)
    mean, std = cv2.meanStdDev(lab, mask=mask)
    return mean.ravel(), std.ravel()


def transfer_colour(patch: np.ndarray, src_stats: tuple[np.ndarray, np.ndarray],
                    dst_stats: tuple[np.ndarray, np.ndarray], hue_follow: float) -> np.ndarray:
    """Reinhard colour transfer in Lab: lightness statistics fully, a/b by ``hue_follow``."""
    (ms, ss), (md, sd) = src_stats, dst_stats
    amount = np.array([1.0, hue_follow, hue_follow])
    gain = 1 + amount * (np.clip(sd / np.maximum(ss, 1.0), 0.5, 2.0) - 1)
    shift = ms + amount * (md - ms) - gain * ms
    lab = cv2.cvtColor(patch, cv2.COLOR_RGB2Lab)
    matrix = np.hstack([np.diag(gain), shift[:, None]]).astype(np.float32)
    return cv2.cvtColor(cv2.transform(lab, matrix), cv2.COLOR_Lab2RGB)


def affine_fit(before: np.ndarray, after: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The 3x4 RGB affine matrix that best maps ``before`` to ``after`` where ``mask`` is set (least squares).

    The Lab transfer is worked out on a small copy; this carries it to the full-size patch in one
    ``cv2.transform`` pass instead of two colour-space conversions.
    """
    sel = mask.reshape(-1) > 0
    x = before.reshape(-1, 3)[sel].astype(np.float32)
    y = after.reshape(-1, 3)[sel].astype(np.float32)
    design = np.hstack([x, np.ones((len(x), 1), np.float32)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return coef.T.astype(np.float32)


def _normalised_blur(image: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """Blur of ``image`` where ``weight`` > 0, each pixel divided by the blurred weight (float32)."""
    num = cv2.GaussianBlur(image.astype(np.float32) * weight[..., None], (0, 0), sigma)
    den = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None] + 1e-4
    return num / den


class FaceSwapper:
    """Pastes ``FaceSource``s onto guests' face meshes in an image, in place, frame after frame.

    Colour statistics are smoothed over time per face (matched by position), so the character's
    colour does not flicker with sensor noise or a hand passing by.

    Usage::

        swapper = FaceSwapper()
        swapper.paste_all(image, [(source, mesh.points) for mesh in scene.meshes], scene.frame.image)
    """

    def __init__(self, eyes: float = 0.35, mouth: float = 0.5, strength: float = 1.0, step: int = 2,
                 smoothing: float = 0.7) -> None:
        self.layout = head_layout()
        self.weights = vertex_weights(eyes, mouth)
        self.strength = strength
        self.step = step
        self.smoothing = smoothing
        self._tracks: list[tuple[np.ndarray, np.ndarray]] = []   # (centre and size, stats vector)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []

    def reset(self) -> None:
        """Forget the smoothed colour statistics."""
        self._tracks, self._pending = [], []

    def paste_all(self, image: np.ndarray, jobs: list[tuple[FaceSource, np.ndarray]],
                  reference: np.ndarray | None = None, light: bool = False) -> None:
        """Paste each (source, guest points) of one frame; statistics of faces not seen again are dropped.

        ``light`` (the quality governor's cheaper picture): the warp maps on a coarser grid and one band only.
        """
        self._pending = []
        for source, points in jobs:
            self.paste(image, source, points, reference, light)
        self._tracks = self._pending

    def _smoothed(self, where: np.ndarray, stats: np.ndarray) -> np.ndarray:
        best = None
        for i, (w, _) in enumerate(self._tracks):
            if np.hypot(*(w[:2] - where[:2])) < 0.5 * where[2]:
                best = i
                break
        if best is not None:
            _, old = self._tracks.pop(best)
            stats = old + (1 - self.smoothing) * (stats - old)
        self._pending.append((where, stats))
        return stats

    def maps(self, source: FaceSource, points: np.ndarray, frame_size: tuple[int, int],
             step: int | None = None) -> WarpMaps | None:
        """Where the guest face ``points`` (468, 3) samples the source (maps evaluated every ``step`` pixels)."""
        dst = self.layout.extend(points.astype(np.float32))
        return warp_maps(source.points, dst, coarse_head_triangles(), frame_size, self.weights,
                         self.step if step is None else step)

    def paste(self, image: np.ndarray, source: FaceSource, points: np.ndarray,
              reference: np.ndarray | None = None, light: bool = False) -> WarpMaps | None:
        """Paste ``source`` onto the face ``points`` in ``image``; colour statistics come from ``reference``
        (default: ``image`` itself, before pasting). Returns where it drew. ``light``: maps every
        ``2 * step`` pixels, and one band (the weight alone; the colour transfer still matches the light)."""
        h, w = image.shape[:2]
        maps = self.maps(source, points, (w, h), 2 * self.step if light else None)
        if maps is None:
            return None
        ys, xs = maps.slices
        region = image[ys, xs]
        ref = np.ascontiguousarray(region if reference is None else reference[ys, xs])
        rh, rw = region.shape[:2]
        patch = maps.sample(source.image)
        # Statistics, colour transfer and the low band are worked out at a quarter of the size.
        small = (max(rw // 4, 1), max(rh // 4, 1))
        patch_s = cv2.resize(patch, small, interpolation=cv2.INTER_AREA)
        ref_s = cv2.resize(ref, small, interpolation=cv2.INTER_AREA)
        weight_s = cv2.resize(maps.weight, small, interpolation=cv2.INTER_AREA)
        face = np.ascontiguousarray(weight_s > 0.95).astype(np.uint8)
        if int(face.sum()) < 16:
            return None
        stats = np.concatenate(lab_stats(patch_s, face) + lab_stats(ref_s, face))
        where = np.array([maps.x + rw / 2, maps.y + rh / 2, max(rh, rw)])
        stats = self._smoothed(where, stats)
        moved = transfer_colour(patch_s, (stats[0:3], stats[3:6]), (stats[6:9], stats[9:12]), source.hue_follow)
        matrix = affine_fit(patch_s, moved, face)
        patch = cv2.transform(patch, matrix)
        alpha = maps.weight * self.strength
        if light:
            region[:] = blend(patch, region, alpha)
            return maps
        patch_s = cv2.transform(patch_s, matrix)
        cover_s = cv2.resize(maps.coverage, small, interpolation=cv2.INTER_AREA)
        # Two bands: fine detail blends with the weight itself; the low band (light and colour) with a
        # widened, smoother weight, added as a smooth correction computed at the small size.
        size = float(max(small))
        a_s = weight_s * self.strength
        wide = np.minimum(cv2.GaussianBlur(a_s, (0, 0), size / 30) * 1.2, 1.0) * cover_s
        low = _normalised_blur(patch_s, weight_s, size / 12) - _normalised_blur(ref_s, cover_s, size / 12)
        correction = cv2.resize((wide - a_s)[..., None] * low, (rw, rh), interpolation=cv2.INTER_LINEAR)
        correction *= maps.coverage[..., None]       # upsampling must not carry it past the mesh
        blended = blend(patch, region, alpha)
        region[:] = cv2.add(blended, correction, dtype=cv2.CV_8U)
        return maps
