"""Time Machine: watch yourself age over a few seconds.

Driven by the landmarks: a wrinkle map painted in the face layout is warped onto the mesh
and shades the skin; the hair (person mask minus the face hull, above the face) turns grey;
jowls and under-eyes sag with a smooth displacement warp; the age animates from 0 to ``age``.
"""

from __future__ import annotations

import dataclasses
import functools

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import FaceMesh, Scene
from magicbooth.effects import assets
from magicbooth.effects.base import Effect
from magicbooth.effects.meshwarp import MeshWarper, feathered
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb

JOWLS = (172, 397, 136, 365)   # lower jaw, both sides
UNDER_EYES = (119, 348)        # below each eye
CHEEKS = (50, 280)


@functools.cache
def _warper() -> MeshWarper:
    return MeshWarper(assets.face_model(), assets.gray("wrinkles.png").shape[0])


def smoothstep(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


class TimeMachine(Effect):
    name = "timemachine"
    title = "Time Machine (aging)"
    needs = frozenset({"faces", "mesh", "mask"})

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        age: float = option(1.0, "How old you get: 0 none, 1 very.", low=0.0, high=1.0)
        duration: float = option(4.0, "Seconds to reach full age; 0 jumps straight there.", low=0.0, high=60.0)
        loop: bool = option(False, "Grow old and young again, over and over.")

    def __init__(self, options: EffectOptions | None = None) -> None:
        super().__init__(options)
        self._t0: float | None = None
        self._wrinkles = assets.gray("wrinkles.png")

    def reset(self) -> None:
        self._t0 = None

    def age_at(self, t: float) -> float:
        """The age shown at time t: rises over ``duration`` from the first frame, then holds (or loops)."""
        if self._t0 is None:
            self._t0 = t
        o = self.options
        if o.duration <= 0:
            return o.age
        p = (t - self._t0) / o.duration
        if o.loop:
            p = 1 - abs((p % 2) - 1)
        return o.age * smoothstep(p)

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        age = self.age_at(t)
        image = np.array(scene.frame.image)
        if age > 0:
            for mesh in scene.meshes:
                self.age_face(image, mesh, scene.mask, age)
        blit_rgb(canvas, image)

    def age_face(self, image: np.ndarray, mesh: FaceMesh, mask: np.ndarray | None, age: float) -> None:
        """Age one face in place."""
        h, w = image.shape[:2]
        pts = mesh.points[:, :2]
        lo, hi = pts.min(0), pts.max(0)
        fw, fh = hi - lo
        if fw < 8 or fh < 8:
            return
        x0, y0 = int(max(lo[0] - 0.5 * fw, 0)), int(max(lo[1] - 0.7 * fh, 0))
        x1, y1 = int(min(hi[0] + 0.5 * fw, w)), int(min(hi[1] + 0.15 * fh, h))
        if x1 - x0 < 4 or y1 - y0 < 4:
            return
        region = image[y0:y1, x0:x1]
        local = mesh.points.copy()
        local[:, :2] -= (x0, y0)
        region[:] = self._sag(region, local, fw, fh, age)
        self._wrinkle(region, local, age)
        if mask is not None:
            self._grey_hair(region, mask[y0:y1, x0:x1], local, age)

    def _sag(self, region: np.ndarray, pts: np.ndarray, fw: float, fh: float, age: float) -> np.ndarray:
        """Pull jowls, cheeks and under-eyes down with Gaussian bumps of displacement.

        Only rows from just above the eyes down are warped; the field is built at 1/4 size.
        """
        top = int(max(pts[list(UNDER_EYES), 1].min() - 0.25 * fw, 0))
        left = int(max(pts[:, 0].min() - 4, 0))
        right = int(min(pts[:, 0].max() + 5, region.shape[1]))
        band = region[top:, left:right]
        bh, rw = band.shape[:2]
        if bh < 4 or rw < 4:
            return region
        pts = pts[:, :2] - (left, 0)
        q = 4
        yy, xx = np.mgrid[0:bh:q, 0:rw:q].astype(np.float32)
        yy += top
        dy = np.zeros_like(xx)
        for idx, amount, radius in ((JOWLS, 0.05, 0.16), (CHEEKS, 0.025, 0.18), (UNDER_EYES, 0.018, 0.08)):
            for i in idx:
                cx, cy = pts[i, :2]
                dy += amount * fh * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (radius * fw) ** 2))
        # Only skin sags: confine the field to the face (softly), so the background stays put.
        face = np.zeros(xx.shape, np.uint8)
        cv2.fillConvexPoly(face, cv2.convexHull(np.round((pts[:, :2] - (0, top)) / q * 16).astype(np.int32)), 255,
                           cv2.LINE_8, 4)
        dy *= cv2.GaussianBlur(face, (0, 0), 1.5).astype(np.float32) / 255
        dy = cv2.resize(dy * age, (rw, bh), interpolation=cv2.INTER_LINEAR)
        gx, gy = np.meshgrid(np.arange(rw, dtype=np.float32), np.arange(bh, dtype=np.float32))
        out = region.copy()
        out[top:, left:right] = cv2.remap(band, gx, gy - dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return out

    def _wrinkle(self, region: np.ndarray, pts: np.ndarray, age: float) -> None:
        """Shade the skin with the warped wrinkle map and dull its colour a little."""
        rh, rw = region.shape[:2]
        warped = _warper().warp((self._wrinkles,), pts, (rw, rh))
        if warped is None:
            return
        (wp,) = warped
        ys, xs = wp.slices
        skin = region[ys, xs]
        weight = feathered(wp.coverage, 4) * age
        grey = cv2.cvtColor(cv2.cvtColor(skin, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        dull = weight * 0.3
        mixed = cv2.blendLinear(grey, skin, dull, 1 - dull)
        shade = 1 + (wp.patch.astype(np.float32) - 128) * (1.1 / 128) * weight
        skin[:] = cv2.multiply(mixed, cv2.merge([shade, shade, shade]), dtype=cv2.CV_8U)

    def _grey_hair(self, region: np.ndarray, person: np.ndarray, pts: np.ndarray, age: float) -> None:
        """Person mask minus the face hull, above mouth level: lighten and desaturate towards silver.

        The hair's outline is the person mask's own edge, which follows the picture; only the smooth
        part of the weight (away from the face, above the mouth) is built at half size. Only rows
        above the mouth are touched.
        """
        mouth_y = float(pts[[13, 14], 1].mean())
        rh = min(region.shape[0], int(mouth_y) + 1)
        rw = region.shape[1]
        if rh < 4 or rw < 4:
            return
        region, person = region[:rh], person[:rh]
        hw, hh = max(rw // 2, 1), max(rh // 2, 1)
        hull = np.zeros((hh, hw), np.uint8)
        cv2.fillConvexPoly(hull, cv2.convexHull(np.round(pts[:, :2] * 8).astype(np.int32)), 255, cv2.LINE_8, 4)
        outside = 1 - cv2.GaussianBlur(hull, (0, 0), 1.5).astype(np.float32) / 255
        rows = np.clip((mouth_y - np.arange(0, rh, rh / hh, dtype=np.float32)[:hh]) / max(rh * 0.1, 1), 0, 1)
        smooth = cv2.resize(outside * (rows[:, None] * age), (rw, rh), interpolation=cv2.INTER_LINEAR)
        # The mask's own soft edge, shifted so the background (α below 0.05) is never touched.
        edge = np.clip((person - np.float32(0.05)) * np.float32(1 / 0.95), 0.0, 1.0)
        weight = np.ascontiguousarray(smooth * edge, np.float32)
        silver = cv2.cvtColor(cv2.convertScaleAbs(cv2.cvtColor(region, cv2.COLOR_RGB2GRAY), alpha=0.5, beta=150),
                              cv2.COLOR_GRAY2RGB)
        region[:] = cv2.blendLinear(silver, region, weight, 1 - weight)
