"""Kaiju: a giant monster stomps behind you; open your mouth and you fire atomic breath.

The monster is a layer behind the person, in depth order by the person mask (over our
mountainside construction site, or over the real background), composited with the kit in
``effects.compositing``. When a face's mouth aspect ratio passes the
threshold a particle beam fires from its mouth, glowing, the monster's plates light up and the
picture shakes.
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
from magicbooth.effects.compose import fit
from magicbooth.effects.compositing import Layer, Stack
from magicbooth.effects.faces import anchor, mesh_for, mouth_ratio
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.particles import Particles, add_glow
from magicbooth.effects.surface import blit_rgb

BEAM_COLOUR = (90.0, 190.0, 255.0)
LIGHT_WRAP = 0.35  # the backdrop's (and the glowing monster's) light on the person's edge
HARMONIZE = 0.0    # the person towards the construction site's light (kit: harmonize); off: +4 ms a frame


@functools.cache
def _sprite(glow: bool, height: int, flip: bool) -> tuple[np.ndarray, np.ndarray]:
    """(premultiplied RGB float32, alpha float32) of the monster scaled to ``height`` pixels."""
    rgba = assets.image("kaiju_glow.png" if glow else "kaiju.png", alpha=True)
    h, w = rgba.shape[:2]
    rgba = cv2.resize(rgba, (round(w * height / h), height), interpolation=cv2.INTER_AREA)
    if flip:
        rgba = rgba[:, ::-1]
    alpha = rgba[..., 3].astype(np.float32) / 255
    return np.ascontiguousarray(rgba[..., :3]), np.ascontiguousarray(alpha)


@functools.cache
def _backdrop(size: tuple[int, int]) -> np.ndarray:
    """Our construction site, scaled to cover the frame once per frame size."""
    image = np.ascontiguousarray(fit(assets.image("construction_site.jpg"), size))
    image.flags.writeable = False
    return image


class Kaiju(Effect):
    name = "kaiju"
    title = "Kaiju with atomic breath"
    needs = frozenset({"faces", "mesh", "mask"})

    @dataclasses.dataclass(frozen=True)
    class Options(EffectOptions):
        backdrop: bool = option(True, "Put the scene on our mountainside construction site instead of the room.")
        mouth_open: float = option(0.25, "Mouth aspect ratio (lip gap / mouth width) that fires the beam.",
                                   low=0.05, high=1.0)
        shake: float = option(6.0, "Screen shake in pixels while the beam fires.", low=0.0, high=30.0)
        size: float = option(0.95, "Monster height as a fraction of the frame height.", low=0.3, high=1.5)

    def __init__(self, options: EffectOptions | None = None) -> None:
        super().__init__(options)
        self.particles = Particles(seed=7)
        self._last_t: float | None = None
        self._firing_since: float | None = None

    def reset(self) -> None:
        self.particles.reset()
        self._last_t = None
        self._firing_since = None

    @property
    def is_firing(self) -> bool:
        return self._firing_since is not None

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        frame = scene.frame.image
        h, w = frame.shape[:2]
        dt = 1 / 30 if self._last_t is None else float(np.clip(t - self._last_t, 0, 0.1))
        self._last_t = t
        mouths = self._open_mouths(scene)
        if mouths and self._firing_since is None:
            self._firing_since = t
        elif not mouths:
            self._firing_since = None
        faces_x = [f.box[0] + f.box[2] / 2 for f in scene.faces]
        monster_right = (np.mean(faces_x) if faces_x else 0) < w / 2
        # Depth order by the person mask: site (or room), then the monster, then the person in front.
        stack = Stack(frame, scene.mask, backdrop=_backdrop((w, h)) if self.options.backdrop else None)
        monster = self._monster(w, h, monster_right, glow=bool(mouths))
        if monster is not None:
            stack.behind(monster)
        harmonize = HARMONIZE if self.options.backdrop else 0.0
        image = stack.flatten(light_wrap=LIGHT_WRAP, harmonize=harmonize)
        for origin, direction in mouths:
            self.particles.emit(origin, direction, 60, speed=w * 1.4, spread=0.06, life=0.6)
        self.particles.step(dt, (w, h))
        if self.particles.count:
            energy = self.particles.density((w, h))
            for origin, direction in mouths:
                self._core(energy, origin, direction, t)
            add_glow(image, energy, BEAM_COLOUR, gain=1.0)
        if mouths and self.options.shake > 0:
            s = self.options.shake
            dx, dy = round(s * math.sin(t * 71.0)), round(s * math.sin(t * 53.0 + 1.0))
            blit_rgb(canvas, image)
            blit_rgb(canvas, image, (dx, dy))
        else:
            blit_rgb(canvas, image)

    def _open_mouths(self, scene: Scene) -> list[tuple[np.ndarray, np.ndarray]]:
        """(mouth position, beam direction) for every face whose mouth is open enough."""
        out = []
        w = scene.frame.size[0]
        for face in scene.faces:
            mesh = mesh_for(face, scene.meshes)
            if mesh is None or mouth_ratio(mesh) < self.options.mouth_open:
                continue
            a = anchor(face)
            mouth = mesh.points[[13, 14], :2].mean(0)
            # Fire the way the head is turned (nose off the eye midline); facing us, towards the far side.
            turn = (face.keypoints["nose_tip"][0] - a.x) / max(a.scale, 1.0)
            side = np.sign(turn) if abs(turn) > 0.08 else (1.0 if mouth[0] < w / 2 else -1.0)
            ang = a.roll + (0.0 if side > 0 else math.pi) + side * 0.2
            out.append((mouth.astype(np.float32), np.array([math.cos(ang), math.sin(ang)], np.float32)))
        return out

    def _core(self, energy: np.ndarray, origin: np.ndarray, direction: np.ndarray, t: float) -> None:
        """A bright beam core that grows out of the mouth over the first few frames."""
        reach = min(1.0, (t - (self._firing_since or t)) * 6 + 0.25) * 4 * energy.shape[1]
        a = origin / 4
        b = a + direction * reach / 4
        cv2.line(energy, tuple(np.int32(a)), tuple(np.int32(b)), 3.0, 2, cv2.LINE_AA)

    def _monster(self, w: int, h: int, right: bool, glow: bool) -> Layer | None:
        """The monster sprite placed on one side of the frame, standing on its bottom edge."""
        rgb, alpha = _sprite(glow, round(h * self.options.size), flip=not right)
        sh, sw = alpha.shape
        x0 = w - sw + sw // 8 if right else -sw // 8
        y0 = h - sh + sh // 20
        layer = Layer(rgb, alpha, x0, y0)
        return layer if layer.window((w, h)) is not None else None
