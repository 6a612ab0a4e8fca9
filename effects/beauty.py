"""Beauty: smooth the skin on each face (not eyes, brows or lips) and colour-grade the picture."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import FaceMesh, Scene
from magicbooth.effects.assets import face_model
from magicbooth.effects.base import Effect
from magicbooth.effects.luts import GRADES, grade
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb

FEATURES = ("right_eye_0", "left_eye_0", "right_eyebrow_0", "left_eyebrow_0", "lips_0")


class Beauty(Effect):
    name = "beauty"
    title = "Beauty (skin smoothing, colour grade)"
    needs = frozenset({"faces", "mesh"})

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

    def smooth(self, image: np.ndarray, mesh: FaceMesh) -> None:
        """Edge-preserving blur at half size inside the skin mask of one face, in place."""
        h, w = image.shape[:2]
        pts = mesh.points[:, :2]
        x0, y0 = np.floor(pts.min(0)).astype(int)
        x1, y1 = np.ceil(pts.max(0)).astype(int) + 1
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 8 or y1 - y0 < 8:
            return
        region = image[y0:y1, x0:x1]
        rh, rw = region.shape[:2]
        local = np.round((pts - (x0, y0)) * 16).astype(np.int32)
        skin = np.zeros((rh, rw), np.uint8)
        cv2.fillConvexPoly(skin, cv2.convexHull(local), 255, cv2.LINE_8, 4)
        hull = skin > 0
        model = face_model()
        for name in FEATURES:
            poly = local[model.contour(name)]
            cv2.fillPoly(skin, [cv2.convexHull(poly)], 0, cv2.LINE_8, 4)
        feather = max(2.0, rw / 40)
        alpha = cv2.GaussianBlur(skin, (0, 0), feather).astype(np.float32) * (self.options.smoothing / 255)
        alpha[~hull] = 0  # the soft edge fades inwards, never onto hair or background
        small = cv2.resize(region, (rw // 2, rh // 2), interpolation=cv2.INTER_AREA)
        sigma = max(3.0, rw / 40)
        soft = cv2.bilateralFilter(small, 7, 28, sigma)
        soft = cv2.resize(soft, (rw, rh), interpolation=cv2.INTER_LINEAR)
        if self.options.glow > 0:
            soft = cv2.convertScaleAbs(soft, alpha=1 + self.options.glow * 0.5, beta=self.options.glow * 20)
        region[:] = cv2.blendLinear(soft, region, alpha, 1 - alpha)
