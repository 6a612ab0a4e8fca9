"""Beauty: smooth the skin of each face (not eyes, brows or lips) and colour-grade the picture.

Where to smooth is decided by the skin itself, not by where the face mesh stops: the region is
the extended head mesh (hairline to chin, ear to ear), softened, times how skin-like each pixel's
colour is (a Gaussian model of this face's own skin in CrCb, learnt from its cheeks and forehead),
minus the eyes, brows and lips. So the smoothing fades out where hair or background begins,
without a seam across the forehead. The smoothing is an edge-preserving blur at half size;
the mask is computed at half size too.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import FaceMesh, Scene
from magicbooth.effects.assets import face_model
from magicbooth.effects.base import Effect
from magicbooth.effects.blending import blend
from magicbooth.effects.faces import head_layout
from magicbooth.effects.luts import GRADES, grade
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb

FEATURES = ("right_eye_0", "left_eye_0", "right_eyebrow_0", "left_eyebrow_0", "lips_0")
# Skin likelihood: full up to this Mahalanobis distance from the face's own skin colour, none past the second.
SKIN_NEAR, SKIN_FAR = 2.0, 3.5


def skin_likelihood(ycc: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """0..1 per pixel: how close its (Cr, Cb) is to the colours where ``sample`` (uint8 mask) is set."""
    pick = ycc[..., 1:][sample > 0].astype(np.float32)
    if len(pick) < 32:
        return np.ones(ycc.shape[:2], np.float32)
    mean = pick.mean(0)
    cov = np.cov(pick.T) + np.eye(2) * 9.0            # at least 3 levels of spread, for grey pictures
    (a, b), (_, c) = np.linalg.inv(cov).astype(np.float32)
    d0 = ycc[..., 1].astype(np.float32) - np.float32(mean[0])
    d1 = ycc[..., 2].astype(np.float32) - np.float32(mean[1])
    dist = cv2.sqrt(a * d0 * d0 + (2 * b) * d0 * d1 + c * d1 * d1)
    return np.clip((SKIN_FAR - dist) * np.float32(1 / (SKIN_FAR - SKIN_NEAR)), 0, 1)


class Beauty(Effect["Beauty.Options"]):
    name = "beauty"
    title = "Beauty (skin smoothing, colour grade)"
    needs = frozenset({"faces", "mesh"})
    needs_face = True

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        smoothing: float = option(0.7, "How much the skin is smoothed.", low=0.0, high=1.0)
        grade: str = option("warm", "Colour grade for the whole picture.", choices=GRADES)
        glow: float = option(0.1, "Brighten the skin a little.", low=0.0, high=0.5)

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        image = np.array(scene.frame.image)
        if self.options.smoothing > 0:
            for mesh in scene.meshes:
                self.smooth(image, mesh)
        blit_rgb(canvas, grade(image, self.options.grade))

    def skin_mask(self, region: np.ndarray, local: np.ndarray, f: int = 2,
                  small: np.ndarray | None = None) -> np.ndarray:
        """Smoothing weight 0..1 at 1/``f`` the size of ``region``, for head points ``local`` (region pixels);
        ``small`` is the region already reduced to that size."""
        sh, sw = region.shape[0] // f, region.shape[1] // f
        half = local / f
        if small is None:
            small = cv2.resize(region, (sw, sh), interpolation=cv2.INTER_AREA)
        ycc = cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb)
        size = float(np.ptp(half[:468, 0]))
        head = np.zeros((sh, sw), np.uint8)
        cv2.fillPoly(head, [np.round(half[468:] * 16).astype(np.int32)], 255, cv2.LINE_8, 4)
        face = np.zeros((sh, sw), np.uint8)
        cv2.fillConvexPoly(face, cv2.convexHull(np.round(half[:468] * 16).astype(np.int32)), 255, cv2.LINE_8, 4)
        features = np.zeros((sh, sw), np.uint8)
        model = face_model()
        for name in FEATURES:
            poly = np.round(half[model.contour(name)] * 16).astype(np.int32)
            cv2.fillConvexPoly(features, cv2.convexHull(poly), 255, cv2.LINE_8, 4)
        grow = max(3, int(size / 25) | 1)
        features = cv2.dilate(features, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
        sample = cv2.bitwise_and(cv2.erode(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow))),
                                 cv2.bitwise_not(features))
        weight = cv2.GaussianBlur(head, (0, 0), max(size / 14, 1.0)).astype(np.float32) * (1 / 255)
        weight *= skin_likelihood(ycc, sample)
        keep = cv2.GaussianBlur(features, (0, 0), max(size / 40, 1.0)).astype(np.float32) * (1 / 255)
        return weight * (1 - keep)

    def smooth(self, image: np.ndarray, mesh: FaceMesh) -> None:
        """Edge-preserving blur at half size where the skin is, in place (``light``: at a quarter, smaller)."""
        h, w = image.shape[:2]
        pts = head_layout().extend(mesh.points[:, :2].astype(np.float32))
        x0, y0 = np.maximum(np.floor(pts.min(0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(pts.max(0)).astype(int) + 1, (w, h))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return
        region = image[y0:y1, x0:x1]
        rh, rw = region.shape[:2]
        local = pts - (x0, y0)
        size = float(np.ptp(local[:468, 0]))
        if self.light:
            # The quality governor's cheaper picture: mask and blur at a quarter of the size on one reduced
            # copy, a 5-pixel filter, the glow before scaling up.
            small = cv2.resize(region, (rw // 4, rh // 4), interpolation=cv2.INTER_AREA)
            alpha_small = self.skin_mask(region, local, 4, small) * self.options.smoothing
            soft = cv2.bilateralFilter(small, 5, 26, max(1.0, size / 120))
            if self.options.glow > 0:
                soft = cv2.convertScaleAbs(soft, alpha=1 + self.options.glow * 0.3, beta=self.options.glow * 12)
            soft = cv2.resize(soft, (rw, rh), interpolation=cv2.INTER_LINEAR)
            alpha = cv2.resize(alpha_small, (rw, rh), interpolation=cv2.INTER_LINEAR)
            region[:] = blend(soft, region, alpha)
            return
        alpha_small = self.skin_mask(region, local) * self.options.smoothing
        small = cv2.resize(region, (rw // 2, rh // 2), interpolation=cv2.INTER_AREA)
        soft = cv2.bilateralFilter(small, 7, 26, max(2.0, size / 60))
        soft = cv2.resize(soft, (rw, rh), interpolation=cv2.INTER_LINEAR)
        if self.options.glow > 0:
            soft = cv2.convertScaleAbs(soft, alpha=1 + self.options.glow * 0.3, beta=self.options.glow * 12)
        alpha = cv2.resize(alpha_small, (rw, rh), interpolation=cv2.INTER_LINEAR)
        region[:] = blend(soft, region, alpha)
