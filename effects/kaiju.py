"""Kaiju: a giant monster stands in your own scene, behind you; roar and it breathes an atomic beam.

The monster is a pre-rendered 3D sprite sheet (``tools/kaiju_render.py``): an idle loop (breathing,
head and tail sway) and a roar (head up, jaw open). It is placed on the side away from the guest,
chosen once, at giant scale (legs below the frame, seen from low), matched to the camera picture
(white balance, exposure, haze and ground mist) and kept behind the person by the person mask. When a
guest opens their mouth wide the monster roars: its plates charge up blue, a beam leaves *its* mouth,
sweeps slowly, sheds sparks and lights the scene, the picture shakes; when the mouth closes it calms.
The whole shot gets one film grade, so room, guest and monster read as one picture.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from dataclasses import dataclass

import cv2
import numpy as np
import pygame

from magicbooth.core.options import option
from magicbooth.core.scene import Scene
from magicbooth.effects import assets, luts
from magicbooth.effects.base import Effect
from magicbooth.effects.blending import mix, triple
from magicbooth.effects.compose import feather_mask, fit
from magicbooth.effects.faces import mesh_for, mouth_ratio
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.particles import Particles, add_light
from magicbooth.effects.surface import blit_rgb

BEAM_RGB = (60.0, 150.0, 255.0)      # light of the beam and the charged plates
SCALE = 4                            # the beam and its light are drawn at 1/SCALE resolution
CHARGE_S, CALM_S = 0.35, 0.6         # roar pose in / out
MIN_FIRE_S = 0.8                     # a short shout still gives a proper blast


@dataclass(frozen=True)
class Pose:
    """One frame of the sprite at display size: RGB, coverage and plate glow (float32 0..1), mouth, beam."""

    rgb: np.ndarray
    alpha: np.ndarray
    glow: np.ndarray
    mouth: tuple[float, float]
    beam: tuple[float, float]


@functools.cache
def _sheet_info() -> dict:
    return json.loads(assets.path("kaiju.json").read_text())


@functools.cache
def _poses(figure: int, flip: bool) -> tuple[Pose, ...]:
    """Every frame of the sheet scaled so the whole monster (head to feet) is ``figure`` pixels tall, facing
    left (or right when flipped); cached. The sheet itself shows it from the head down to the hips."""
    info = _sheet_info()
    sheet, alpha, glow = assets.image("kaiju_sheet.jpg"), assets.gray("kaiju_alpha.png"), assets.gray("kaiju_glow.png")
    fw, fh = info["frame"]
    gw, gh = info["glow_frame"]
    cols = info["columns"]
    k = figure / info["figure"]
    size = (max(1, round(fw * k)), max(1, round(fh * k)))
    out = []
    for i, meta in enumerate(info["frames"]):
        r, c = divmod(i, cols)
        cells = ((sheet, fw, fh), (alpha, fw, fh), (glow, gw, gh))    # the glow is stored at half size
        parts = [cv2.resize(np.ascontiguousarray(x[r * ch:(r + 1) * ch, c * cw:(c + 1) * cw]), size,
                            interpolation=cv2.INTER_AREA if cw == fw else cv2.INTER_LINEAR) for x, cw, ch in cells]
        mx, my = meta["mouth"][0] * k, meta["mouth"][1] * k
        bx, by = meta["beam"]
        if flip:
            parts = [np.ascontiguousarray(p[:, ::-1]) for p in parts]
            mx, bx = size[0] - 1 - mx, -bx
        rgb, a, g = parts[0], parts[1].astype(np.float32) / 255, parts[2].astype(np.float32) / 255
        for arr in (rgb, a, g):
            arr.flags.writeable = False
        out.append(Pose(rgb, a, g, (mx, my), (bx, by)))
    return tuple(out)


@functools.cache
def _mist(shape: tuple[int, int], start: float, amount: float) -> np.ndarray:
    """(h, w, 3) weights of ground mist over a sprite of ``shape``: none above ``start`` (a fraction of
    its height), thickening to ``amount`` at its feet."""
    y = np.linspace(0, 1, shape[0], dtype=np.float32)[:, None, None]
    t = np.clip((y - start) / max(1 - start, 1e-3), 0, 1)
    mist = np.ascontiguousarray(np.broadcast_to(t * t * (3 - 2 * t) * amount, (*shape, 3)), np.float32)
    mist.flags.writeable = False
    return mist


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
        backdrop: bool = option(False, "Put the scene on our mountainside construction site instead of the room.")
        side: str = option("auto", "Where the monster stands: auto (away from the guest, chosen once), left, right.",
                           choices=("auto", "left", "right"))
        mouth_open: float = option(0.25, "Mouth aspect ratio (lip gap / mouth width) that makes it roar.",
                                   low=0.05, high=1.0)
        shake: float = option(5.0, "Screen shake in pixels while the beam fires.", low=0.0, high=30.0)
        size: float = option(2.3, "Monster height (head to feet) as a fraction of the frame height.",
                             low=0.5, high=3.0)
        haze: float = option(0.25, "Atmospheric haze over the monster: 0 none, 1 lost in the fog.", low=0.0, high=1.0)
        grade: bool = option(True, "Give the whole picture one film grade.")

    def __init__(self, options: EffectOptions | None = None) -> None:
        super().__init__(options)
        self.particles = Particles(seed=7, capacity=1500)
        self.reset()

    def reset(self) -> None:
        self.particles.reset()
        self._last_t: float | None = None
        self._right: bool | None = None      # the side, once chosen
        self._roaring = False
        self._roar = 0.0                     # 0 idle pose .. 1 full roar pose
        self._beam = 0.0                     # beam strength 0..1
        self._fire_t = 0.0                   # seconds the beam has been firing
        self._stats: np.ndarray | None = None  # smoothed scene colour statistics
        self._mouth: tuple[float, float] | None = None
        self._frames = 0
        self._lut: np.ndarray | None = None

    def restart(self) -> None:
        """A clip starts: the monster chooses its side afresh and calms down."""
        self.reset()

    @property
    def is_firing(self) -> bool:
        return self._beam > 0.0

    @property
    def mouth(self) -> tuple[float, float] | None:
        """Where the monster's mouth was drawn last (frame pixels): the beam leaves from here."""
        return self._mouth

    @property
    def side(self) -> str | None:
        """"left" or "right" once chosen."""
        return None if self._right is None else ("right" if self._right else "left")

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        frame = scene.frame.image
        h, w = frame.shape[:2]
        dt = 1 / 30 if self._last_t is None else float(np.clip(t - self._last_t, 0, 0.1))
        self._last_t = t
        self._choose_side(scene, w)
        self._update(self._wants_roar(scene), dt)
        grade = luts.film() if self.options.grade else None
        if self.options.backdrop:
            image = np.array(_backdrop((w, h))) if grade is None else cv2.LUT(_backdrop((w, h)), grade)
            person = None
        else:
            image = np.array(frame) if grade is None else cv2.LUT(frame, grade)
            person = scene.mask
        pose = self._draw_monster(image, frame, scene.mask, person, t, grade)
        if self.options.backdrop and scene.mask is not None:
            guest = frame if grade is None else cv2.LUT(frame, grade)
            mix(image, guest, triple(cv2.max(scene.mask, feather_mask(scene.mask, 3))))
        self._mouth = pose.mouth
        self._draw_beam(image, scene.mask, pose, dt, t)
        self._show(canvas, image, t)

    # -- state

    def _choose_side(self, scene: Scene, w: int) -> None:
        if self.options.side != "auto":
            self._right = self.options.side == "right"
        elif self._right is None and scene.faces:
            centre = float(np.mean([f.box[0] + f.box[2] / 2 for f in scene.faces]))
            self._right = centre <= w * 0.55      # the middle counts as left of the guest: stand right

    def _wants_roar(self, scene: Scene) -> bool:
        """Any guest's mouth open wide; once roaring, it must close well below the threshold to stop."""
        threshold = self.options.mouth_open * (0.75 if self._roaring else 1.0)
        for face in scene.faces:
            mesh = mesh_for(face, scene.meshes)
            if mesh is not None and mouth_ratio(mesh) >= threshold:
                return True
        return False

    def _update(self, roar: bool, dt: float) -> None:
        self._roaring = roar
        hold = self._beam > 0 and self._fire_t < MIN_FIRE_S
        if roar or hold:
            self._roar = min(1.0, self._roar + dt / CHARGE_S)
        else:
            self._roar = max(0.0, self._roar - dt / CALM_S)
        if (roar or hold) and self._roar >= 0.999:
            self._beam = min(1.0, self._beam + dt / 0.12)
            self._fire_t += dt
        else:
            self._beam = max(0.0, self._beam - dt / 0.35)
            if self._beam == 0.0:
                self._fire_t = 0.0

    # -- drawing

    def _placement(self, w: int, h: int) -> tuple[tuple[Pose, ...], int, int]:
        right = self._right if self._right is not None else True
        poses = _poses(round(h * self.options.size), not right)
        # Its mouth sits high over the guest's shoulder; body and tail run out of the frame.
        mx, my = poses[_sheet_info()["idle"][0]].mouth
        x0 = round((w * 0.72 if right else w * 0.28) - mx)
        y0 = round(h * 0.2 - my)
        return poses, x0, y0

    def _frame(self, poses: tuple[Pose, ...], t: float) -> tuple[Pose, Pose, float]:
        """The two sheet frames to mix and the weight of the second."""
        info = _sheet_info()
        idle, roar = info["idle"], info["roar"]
        if self._roar > 0:
            k = self._roar * len(roar)                    # 0 = idle frame 0, len = last roar frame
            i = int(min(k, len(roar) - 1e-6))
            a = poses[idle[0]] if i == 0 else poses[roar[i - 1]]
            return a, poses[roar[i]], float(k - i)
        k = (t / info["idle_seconds"]) % 1.0 * len(idle)
        i = int(k) % len(idle)
        return poses[idle[i]], poses[idle[(i + 1) % len(idle)]], float(k - int(k))

    def _draw_monster(self, image: np.ndarray, frame: np.ndarray, mask: np.ndarray | None,
                      person: np.ndarray | None, t: float, grade: np.ndarray | None) -> Pose:
        h, w = image.shape[:2]
        poses, x0, y0 = self._placement(w, h)
        a, b, k = self._frame(poses, t)
        mouth = tuple(np.add(a.mouth, np.subtract(b.mouth, a.mouth) * k) + np.array([x0, y0]))
        pose = Pose(a.rgb, a.alpha, a.glow, mouth, tuple(np.add(a.beam, np.subtract(b.beam, a.beam) * k)))
        sh, sw = a.alpha.shape
        xs, ys, xe, ye = max(x0, 0), max(y0, 0), min(x0 + sw, w), min(y0 + sh, h)
        if xe <= xs or ye <= ys:
            return pose
        sub = (slice(ys - y0, ye - y0), slice(xs - x0, xe - x0))
        # Only the part inside the picture is touched; idle frames cross-fade so breathing is smooth.
        if k < 0.02:
            rgb, cover, glow = (np.ascontiguousarray(p[sub]) for p in (a.rgb, a.alpha, a.glow))
        else:
            rgb, cover, glow = (cv2.addWeighted(p[sub], 1 - k, q[sub], k, 0)
                                for p, q in ((a.rgb, b.rgb), (a.alpha, b.alpha), (a.glow, b.glow)))
        art = cv2.LUT(rgb, self._matching(frame, mask, grade))
        # Ground mist: the lower body fades into the haze colour.
        fog = np.empty_like(art)
        fog[:] = self._haze_rgb(grade)
        mix(art, fog, _mist((sh, sw), 0.5, 0.15 + 0.7 * self.options.haze)[sub])
        if self._roar > 0 or self._beam > 0:
            self._charge(art, glow, t)
        if person is not None:
            cover = cv2.multiply(cover, cv2.subtract(1.0, person[ys:ye, xs:xe]))
        mix(image[ys:ye, xs:xe], art, triple(cover))
        return pose

    def _matching(self, frame: np.ndarray, mask: np.ndarray | None, grade: np.ndarray | None) -> np.ndarray:
        """A colour table moving the rendered monster towards the room: white balance, exposure, haze.

        The room's statistics are smoothed over time anyway, so they are measured on every fourth frame.
        """
        self._frames += 1
        if self._lut is not None and self._frames % 4:
            return self._lut
        small = cv2.resize(frame, (32, 24), interpolation=cv2.INTER_AREA).reshape(-1, 3).astype(np.float32)
        if mask is not None:
            weight = 1.0 - cv2.resize(mask, (32, 24), interpolation=cv2.INTER_AREA).reshape(-1, 1) + 1e-3
        else:
            weight = np.ones((small.shape[0], 1), np.float32)
        mean = (small * weight).sum(0) / weight.sum()
        top = small[: small.shape[0] // 3].mean(0)        # the upper part of the picture: the air around its head
        stats = np.concatenate([mean, top])
        self._stats = stats if self._stats is None else self._stats + (stats - self._stats) * 0.4
        self._lut = self._table(grade)
        return self._lut

    def _table(self, grade: np.ndarray | None) -> np.ndarray:
        mean, top = self._stats[:3], self._stats[3:]
        grey = float(mean.mean()) + 1e-3
        balance = (mean / grey) ** 0.5                    # half-way towards the room's white balance
        exposure = float(np.clip((grey / 120.0) ** 0.5, 0.7, 1.15))
        haze = 0.55 * top + 0.45 * np.array([205.0, 208.0, 212.0]) * (grey / 128.0) ** 0.5
        self._haze = np.clip(haze, 0, 255)
        return luts.matching(balance * exposure, 1.3, self._haze, 0.05 + 0.35 * self.options.haze, then=grade)

    def _haze_rgb(self, grade: np.ndarray | None) -> tuple[float, float, float]:
        hz = np.clip(self._haze, 0, 255).astype(np.uint8)
        if grade is not None:
            hz = np.array([grade[hz[c], 0, c] for c in range(3)], np.uint8)
        return tuple(float(v) for v in hz)

    def _charge(self, art: np.ndarray, glow: np.ndarray, t: float) -> None:
        """The plates light up blue, flickering, before and while it fires."""
        level = max(self._roar ** 2, self._beam) * (0.85 + 0.15 * math.sin(t * 47.0))
        light = cv2.merge([glow * (c * 1.3 * level) for c in BEAM_RGB])
        cv2.add(art, light, dst=art, dtype=cv2.CV_8U)

    def _draw_beam(self, image: np.ndarray, mask: np.ndarray | None, pose: Pose, dt: float, t: float) -> None:
        h, w = image.shape[:2]
        strength = self._beam
        origin = np.array(pose.mouth, np.float32)
        if strength > 0:
            # Across the picture, over the guest's head, sweeping slowly down like a breath raking the scene.
            left = pose.beam[0] < 0
            elevation = -0.12 + 0.3 * min(self._fire_t / 3.0, 1.0) + 0.03 * math.sin(t * 9.0)  # + is down
            ang = math.pi - elevation if left else elevation
            direction = np.array([math.cos(ang), math.sin(ang)], np.float32)
            reach = min(1.0, self._fire_t / 0.15 + 0.2) * (w + h)
            self.particles.emit(origin, direction, 14, speed=w * 0.25, spread=0.35, life=0.7, along=reach * 0.8)
            self.particles.emit(origin, direction, 6, speed=w * 0.6, spread=0.5, life=0.25)
        else:
            direction, reach = np.array([1.0, 0.0], np.float32), 0.0
        self.particles.step(dt, (w, h), drag=1.5, lift=60.0)
        if not self.particles.count and strength <= 0:
            return
        energy = np.zeros((h // SCALE, w // SCALE), np.float32)
        if strength > 0:
            a = origin / SCALE
            b = a + direction * reach / SCALE
            normal = np.array([-direction[1], direction[0]], np.float32)
            width = (1.0 + 3.0 * strength) * (1 + 0.15 * math.sin(t * 31.0))
            poly = np.array([a + normal * 0.6, b + normal * width, b - normal * width, a - normal * 0.6]) * 16
            cv2.fillConvexPoly(energy, np.round(poly).astype(np.int32), 0.9 * strength, cv2.LINE_AA, 4)
            core = np.array([a + normal * 0.3, b + normal * width * 0.35, b - normal * width * 0.35,
                             a - normal * 0.3]) * 16
            cv2.fillConvexPoly(energy, np.round(core).astype(np.int32), 2.2 * strength, cv2.LINE_AA, 4)
            cv2.circle(energy, tuple(np.round(a * 16).astype(np.int32)), int(2.5 * 16 * strength), 2.0 * strength,
                       -1, cv2.LINE_AA, 4)
        self.particles.splat(energy, SCALE, gain=0.6)
        if mask is not None:   # the beam passes behind the guest; its light still falls on them (below)
            energy *= 1.0 - cv2.resize(mask, (energy.shape[1], energy.shape[0]), interpolation=cv2.INTER_AREA)
        add_light(image, energy, BEAM_RGB, gain=1.0, spread=1.5 * strength, white=0.6, ambient=0.045 * strength)

    def _show(self, canvas: pygame.Surface, image: np.ndarray, t: float) -> None:
        s = self.options.shake * self._beam * (0.6 + 0.4 * math.sin(t * 13.0))
        if s < 0.5:
            blit_rgb(canvas, image)
            return
        dx, dy = round(s * math.sin(t * 71.0)), round(s * math.sin(t * 53.0 + 1.0))
        blit_rgb(canvas, image)
        blit_rgb(canvas, image, (dx, dy))
