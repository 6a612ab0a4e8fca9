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

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects import assets
from magicbooth.effects.base import Effect
from magicbooth.effects.blending import blend
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
    boxes: tuple[tuple[tuple[int, int, int, int], ...], ...]
    yaws: np.ndarray
    pitches: np.ndarray
    px_per_unit: float
    anchor: tuple[float, float]

    def view(self, yaw: float, pitch: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        """The design seen at ``yaw``/``pitch`` (degrees): nearest pitch, the two nearest yaws cross-faded;
        and the box (x0, y0, x1, y1) in the view that holds its visible pixels."""
        r = int(np.abs(self.pitches - pitch).argmin())
        row, boxes = self.views[r], self.boxes[r]
        yaw = float(np.clip(yaw, self.yaws[0], self.yaws[-1]))
        i = int(np.clip(np.searchsorted(self.yaws, yaw) - 1, 0, len(self.yaws) - 2))
        f = (yaw - self.yaws[i]) / (self.yaws[i + 1] - self.yaws[i])
        if f < 0.08:
            return row[i], boxes[i]
        if f > 0.92:
            return row[i + 1], boxes[i + 1]
        a, b = boxes[i], boxes[i + 1]
        box = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
        return cv2.addWeighted(row[i], 1 - f, row[i + 1], f, 0), box


@functools.cache
def atlas(design: str) -> Atlas:
    """The design's views, cut from its atlas image once per process."""
    spec = assets.stickers()
    w, h = spec["cell"]
    sheet = assets.image(f"sticker_{design}.png", alpha=True)
    yaws, pitches = np.array(spec["yaws"], float), np.array(spec["pitches"], float)
    views = tuple(tuple(np.ascontiguousarray(sheet[r * h:(r + 1) * h, c * w:(c + 1) * w]) for c in range(len(yaws)))
                  for r in range(len(pitches)))
    return Atlas(views, tuple(tuple(_opaque_box(v) for v in row) for row in views), yaws, pitches,
                 float(spec["px_per_unit"]), (float(spec["anchor"][0]), float(spec["anchor"][1])))


def _opaque_box(view: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(view[..., 3] > 0)
    if not len(ys):
        return (0, 0, 1, 1)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def footprint(box: tuple[int, int, int, int], matrix: np.ndarray, size: tuple[int, int]) -> tuple[int, ...] | None:
    """The frame rectangle (x0, y0, x1, y1) covered by the sprite rectangle ``box`` through ``matrix``, clipped."""
    bx0, by0, bx1, by1 = box
    corners = np.array([[bx0, by0, 1], [bx1, by0, 1], [bx0, by1, 1], [bx1, by1, 1]], float) @ matrix.T
    x0, y0 = np.maximum(np.floor(corners.min(0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(corners.max(0)).astype(int) + 1, size)
    return None if x1 - x0 < 1 or y1 - y0 < 1 else (int(x0), int(y0), int(x1), int(y1))


def blend_rgba(image: np.ndarray, sprite: np.ndarray, matrix: np.ndarray, box: tuple[int, int, int, int],
               origin: tuple[int, int] = (0, 0)) -> None:
    """Draw ``sprite`` (RGBA, straight alpha; opaque inside ``box``) onto ``image`` through the 2x3 affine
    ``matrix``, in place; ``image`` is the part of the frame whose top-left corner is ``origin``.

    Only the sprite's footprint is touched, so a sticker mostly off-frame costs little.
    """
    h, w = image.shape[:2]
    shifted = matrix.copy()
    shifted[:, 2] -= origin
    rect = footprint(box, shifted, (w, h))
    if rect is None:
        return
    x0, y0, x1, y1 = rect
    shifted[:, 2] -= (x0, y0)
    warped = cv2.warpAffine(sprite, shifted, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3].astype(np.float32) * (1 / 255)
    region = image[y0:y1, x0:x1]
    region[:] = blend(warped[..., :3], region, alpha)


class Sticker(Effect["Sticker.Options"]):
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

    def __init__(self, options: Sticker.Options | None = None) -> None:
        super().__init__(options)
        self._smooth = Smoother(self.options.smoothing)
        self._atlas = atlas(self.options.design)

    def reset(self) -> None:
        self._smooth.reset()

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        frame = scene.frame.image
        blit_rgb(canvas, frame)
        if not scene.meshes:
            return
        raw = [np.array([p.x, p.y, p.scale, p.roll, p.yaw, p.pitch]) for p in map(head_pose, scene.meshes)]
        smoothed = [HeadPose(v[0], v[1], v[2], v[4], v[5], v[3]) for v in self._smooth.update(raw)]
        h, w = frame.shape[:2]
        jobs = []
        for pose in sorted(smoothed, key=lambda p: p.scale):   # nearer (bigger) heads drawn last
            if pose.scale < 2:
                continue
            sprite, box, matrix = self.placement(pose)
            matrix[:, 2] += self.slide(box, matrix, pose)
            rect = footprint(box, matrix, (w, h))
            if rect is not None:
                jobs.append((sprite, box, matrix, rect))
        if not jobs:
            return
        # Work on a copy of only the part of the frame the stickers cover, then put it on the canvas.
        x0, y0 = min(r[0] for *_, r in jobs), min(r[1] for *_, r in jobs)
        x1, y1 = max(r[2] for *_, r in jobs), max(r[3] for *_, r in jobs)
        work = frame[y0:y1, x0:x1].copy()
        for sprite, box, matrix, _ in jobs:
            blend_rgba(work, sprite, matrix, box, (x0, y0))
        blit_rgb(canvas, work, (x0, y0))

    def placement(self, pose: HeadPose) -> tuple[np.ndarray, tuple[int, int, int, int], np.ndarray]:
        """The view of the sticker for this pose, its visible box, and the affine matrix that puts it on the frame."""
        a = self._atlas
        sprite, box = a.view(math.degrees(pose.yaw), math.degrees(pose.pitch))
        zoom = pose.scale * self.options.scale / a.px_per_unit
        c, s = math.cos(pose.roll) * zoom, math.sin(pose.roll) * zoom
        ax, ay = a.anchor
        # Rotate and scale about the sprite's anchor (the eye midpoint), then move it onto the eyes.
        matrix = np.array([[c, -s, pose.x - (c * ax - s * ay)], [s, c, pose.y - (s * ax + c * ay)]])
        return sprite, box, matrix

    def slide(self, box: tuple[int, int, int, int], matrix: np.ndarray, pose: HeadPose) -> np.ndarray:
        """How far to move the sticker down the head so a close-up still shows part of it.

        When less than ``SHOW`` of the sticker's height is inside the frame (the head top is cut
        off), it slides down along the head's up axis until that much shows, by at most ``MAX_SLIDE``
        eye distances, which keeps it above the eyebrows.
        """
        bx0, by0, bx1, by1 = box
        pts = np.array([[bx0, by0, 1], [bx1, by1, 1], [bx0, by1, 1], [bx1, by0, 1]], float) @ matrix.T
        top, bottom = pts[:, 1].min(), pts[:, 1].max()
        need = top + (bottom - top) * (1 - SHOW)      # this row must come down to the frame's top
        if need >= 0:
            return np.zeros(2)
        down = np.array([-math.sin(pose.roll), math.cos(pose.roll)])
        step = min(-need / max(down[1], 0.3), MAX_SLIDE * pose.scale * self.options.scale)
        return down * step
