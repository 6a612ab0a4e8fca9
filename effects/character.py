"""Character face: an ape, a robot or a cartoon face warped onto each face mesh.

The texture is painted in the face layout (``tools/asset_art.py``), mapped triangle by triangle
onto the 468-point mesh, shifted towards the scene's lighting in Lab colour space, and blended
with a feathered edge. Eyes and the inner mouth are holes in the mesh, so the real ones show.
"""

from __future__ import annotations

import dataclasses
import functools

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects import assets
from magicbooth.effects.base import Effect
from magicbooth.effects.meshwarp import MeshWarper, Warped, blend_into, feathered
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb

CHARACTERS = ("ape", "robot", "cartoon")


@functools.cache
def _texture(character: str) -> np.ndarray:
    return assets.image(f"face_{character}.png")


@functools.cache
def _warper(size: int) -> MeshWarper:
    return MeshWarper(assets.face_model(), size)


# Rec. 601 luma weights: colour matching moves lightness fully and colour only partly.
_LUMA = np.array([0.299, 0.587, 0.114])


def match_colour(patch: np.ndarray, frame: np.ndarray, weight: np.ndarray, amount: float) -> np.ndarray:
    """Move the patch's mean and contrast towards the frame's where ``weight`` > 0.5.

    Lightness follows the scene (exposure, contrast); hue only partly, so an ape stays brown
    under warm light. Statistics come from every 4th pixel; the correction is one
    ``cv2.transform`` (a per-pixel 3x4 matrix), so it costs about one pass over the patch.
    """
    if amount <= 0:
        return patch
    mask = np.ascontiguousarray(weight[::4, ::4] > 0.5).astype(np.uint8)
    if int(mask.sum()) < 16:
        return patch
    src_mean, src_std = (v.ravel() for v in cv2.meanStdDev(np.ascontiguousarray(patch[::4, ::4]), mask=mask))
    ref_mean, ref_std = (v.ravel() for v in cv2.meanStdDev(np.ascontiguousarray(frame[::4, ::4]), mask=mask))
    gain = float(np.clip(1 + amount * (_LUMA @ ref_std / (_LUMA @ src_std + 1e-3) - 1), 0.8, 1.25))
    d_luma = _LUMA @ (ref_mean - src_mean)
    shift = amount * (0.6 * d_luma + 0.35 * (ref_mean - src_mean - d_luma))
    matrix = np.hstack([np.eye(3) * gain, (src_mean * (1 - gain) + shift)[:, None]]).astype(np.float32)
    return cv2.transform(patch, matrix)


class Character(Effect):
    name = "character"
    title = "Character face (ape, robot, cartoon)"
    needs = frozenset({"faces", "mesh"})

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        character: str = option("ape", "Which character face to wear.", choices=CHARACTERS)
        opacity: float = option(0.95, "How strongly the character covers the face.", low=0.0, high=1.0)
        color_match: float = option(0.5, "How far the texture follows the scene's light and colour.", low=0.0,
                                    high=1.0)
        feather: float = option(6.0, "Width of the soft edge in pixels.", low=0.0, high=30.0)

    def __init__(self, options: EffectOptions | None = None) -> None:
        super().__init__(options)
        self._texture = _texture(self.options.character)
        self._warper = _warper(self._texture.shape[0])

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        image = np.array(scene.frame.image)
        for mesh in scene.meshes:
            self.apply(image, mesh.points)
        blit_rgb(canvas, image)

    def apply(self, image: np.ndarray, points: np.ndarray) -> Warped | None:
        """Draw the character onto ``image`` in place for one mesh; returns where it drew."""
        h, w = image.shape[:2]
        warped = self._warper.warp((self._texture,), points, (w, h))
        if warped is None:
            return None
        (wp,) = warped
        ys, xs = wp.slices
        alpha = feathered(wp.coverage, self.options.feather) * self.options.opacity
        patch = match_colour(wp.patch, image[ys, xs], wp.coverage, self.options.color_match)
        blend_into(image, wp, patch, alpha)
        return wp
