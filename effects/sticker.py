"""Head sticker in 3D: bunny ears, cat ears, a crown or a top hat sitting on each head.

The artwork is a shaded 3D model rendered at build time for a grid of head yaws and pitches
(``tools/sticker_art.py``), on an invisible head that hides what lies behind it. Per frame the
head pose comes from the face mesh (``faces.head_pose``); the two nearest yaw views are
cross-faded, rolled and scaled to the eye distance, and blended onto the frame, so on a turned
head the crown is seen from the side and its far half is behind the head. Whatever part of the
sticker is inside the frame is drawn, so a close-up with the head top cut off still shows the
band or brim.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import cv2
import numpy as np
import pygame

from magicbooth.core.config import option
from magicbooth.core.scene import Scene
from magicbooth.effects import assets
from magicbooth.effects.base import Effect
from magicbooth.effects.faces import HeadPose, Smoother, head_pose
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.surface import blit_rgb

DESIGNS = ("bunny", "cat", "crown", "tophat")
SHOW = 0.35       # part of the sticker's height kept in frame on close-ups
MAX_SLIDE = 0.9   # eye distances it may slide down the head for that


@dataclasses.dataclass(frozen=True)
class Atlas:
    """All views of one design: ``views[pitch_index][yaw_index]`` RGBA, and the grid they were rendered on."""

    views: tuple[tuple[np.ndarray, ...], ...]
    yaws: np.ndarray
    pitches: np.ndarray
    px_per_unit: float
    anchor: tuple[float, float]

    def view(self, yaw: float, pitch: float) -> np.ndarray:
        """The design seen at ``yaw``/``pitch`` (degrees): nearest pitch, the two nearest yaws cross-faded."""
        row = self.views[int(np.abs(self.pitches - pitch).argmin())]
        yaw = float(np.clip(yaw, self.yaws[0], self.yaws[-1]))
        i = int(np.clip(np.searchsorted(self.yaws, yaw) - 1, 0, len(self.yaws) - 2))
        f = (yaw - self.yaws[i]) / (self.yaws[i + 1] - self.yaws[i])
        if f < 0.08:
            return row[i]
        if f > 0.92:
            return row[i + 1]
        return cv2.addWeighted(row[i], 1 - f, row[i + 1], f, 0)


@functools.cache
def atlas(design: str) -> Atlas:
    """The design's views, cut from its atlas image once per process."""
    spec = assets.stickers()
    w, h = spec["cell"]
    sheet = assets.image(f"sticker_{design}.png", alpha=True)
    yaws, pitches = np.array(spec["yaws"], float), np.array(spec["pitches"], float)
    views = tuple(tuple(np.ascontiguousarray(sheet[r * h:(r + 1) * h, c * w:(c + 1) * w]) for c in range(len(yaws)))
                  for r in range(len(pitches)))
    return Atlas(views, yaws, pitches, float(spec["px_per_unit"]), tuple(spec["anchor"]))


def blend_rgba(image: np.ndarray, sprite: np.ndarray, matrix: np.ndarray) -> None:
    """Draw ``sprite`` (RGBA, straight alpha) onto ``image`` through the 2x3 affine ``matrix``, in place.

    Only the sprite's bounding box on the frame is touched, so a sticker mostly off-frame costs little.
    """
    h, w = image.shape[:2]
    sh, sw = sprite.shape[:2]
    corners = np.array([[0, 0, 1], [sw, 0, 1], [0, sh, 1], [sw, sh, 1]], float) @ matrix.T
    x0, y0 = np.maximum(np.floor(corners.min(0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(corners.max(0)).astype(int), (w, h))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return
    shifted = matrix.copy()
    shifted[:, 2] -= (x0, y0)
    warped = cv2.warpAffine(sprite, shifted, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3].astype(np.float32) * (1 / 255)
    region = image[y0:y1, x0:x1]
    region[:] = cv2.blendLinear(np.ascontiguousarray(warped[..., :3]), region, alpha, 1 - alpha)


class Sticker(Effect):
    name = "sticker"
    title = "Head sticker in 3D (bunny ears, cat ears, crown, top hat)"
    needs = frozenset({"faces", "mesh"})
    needs_face = True

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        design: str = option("bunny", "Which sticker sits on the head.", choices=DESIGNS)
        scale: float = option(1.0, "Size relative to the design's natural size.", low=0.3, high=3.0)
        smoothing: float = option(0.5, "0 follows the face exactly; towards 1 moves more calmly.", low=0.0,
                                  high=0.95)

    def __init__(self, options: EffectOptions | None = None) -> None:
        super().__init__(options)
        self._smooth = Smoother(self.options.smoothing)
        self._atlas = atlas(self.options.design)

    def reset(self) -> None:
        self._smooth.reset()

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        poses = [head_pose(m) for m in scene.meshes]
        if not poses:
            blit_rgb(canvas, scene.frame.image)
            return
        image = np.array(scene.frame.image)
        raw = [np.array([p.x, p.y, p.scale, p.roll, p.yaw, p.pitch]) for p in poses]
        smoothed = [HeadPose(v[0], v[1], v[2], v[4], v[5], v[3]) for v in self._smooth.update(raw)]
        for pose in sorted(smoothed, key=lambda p: p.scale):   # nearer (bigger) heads drawn last
            self.draw(image, pose)
        blit_rgb(canvas, image)

    def placement(self, pose: HeadPose) -> tuple[np.ndarray, np.ndarray]:
        """The view of the sticker for this pose and the affine matrix that puts it on the frame."""
        a = self._atlas
        sprite = a.view(math.degrees(pose.yaw), math.degrees(pose.pitch))
        zoom = pose.scale * self.options.scale / a.px_per_unit
        c, s = math.cos(pose.roll) * zoom, math.sin(pose.roll) * zoom
        ax, ay = a.anchor
        # Rotate and scale about the sprite's anchor (the eye midpoint), then move it onto the eyes.
        matrix = np.array([[c, -s, pose.x - (c * ax - s * ay)], [s, c, pose.y - (s * ax + c * ay)]])
        return sprite, matrix

    def draw(self, image: np.ndarray, pose: HeadPose) -> None:
        """Draw the sticker for one head onto ``image`` in place."""
        if pose.scale < 2:
            return
        sprite, matrix = self.placement(pose)
        matrix[:, 2] += self.slide(sprite, matrix, image.shape[0], pose)
        blend_rgba(image, sprite, matrix)

    def slide(self, sprite: np.ndarray, matrix: np.ndarray, height: int, pose: HeadPose) -> np.ndarray:
        """How far to move the sticker down the head so a close-up still shows part of it.

        When less than ``SHOW`` of the sticker's height is inside the frame (the head top is cut
        off), it slides down along the head's up axis until that much shows, by at most ``MAX_SLIDE``
        eye distances, which keeps it above the eyebrows.
        """
        ys, xs = np.nonzero(sprite[..., 3] > 40)
        if not len(ys):
            return np.zeros(2)
        pts = np.array([[xs.min(), ys.min(), 1], [xs.max(), ys.max(), 1], [xs.min(), ys.max(), 1],
                        [xs.max(), ys.min(), 1]], float) @ matrix.T
        top, bottom = pts[:, 1].min(), pts[:, 1].max()
        need = top + (bottom - top) * (1 - SHOW)      # this row must come down to the frame's top
        if need >= 0:
            return np.zeros(2)
        down = np.array([-math.sin(pose.roll), math.cos(pose.roll)])
        step = min(-need / max(down[1], 0.3), MAX_SLIDE * pose.scale * self.options.scale)
        return down * step
