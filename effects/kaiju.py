"""Kaiju: a giant monster stands in your own scene, behind you; roar and it breathes an atomic beam.

The monster is a pre-rendered 3D sprite sheet (``tools/kaiju_render.py``): an idle loop (breathing,
head and tail sway) and a roar (head up, jaw open). It is placed on the side away from the guest,
chosen once, at giant scale (legs below the frame, seen from low). It is composited with the
compositing kit (``effects.compositing``): a ``Layer`` *behind* the person in a ``Stack``, so the person
mask hides it exactly where the guest stands; ``match_art`` gives it the room's white balance,
exposure, contrast and sensor grain; ``haze`` puts air between it and the camera and ``mist`` thickens
towards its feet. On the construction-site backdrop the guest is harmonised to the site's light and
its light wraps onto their edge, as in the background effect. When a guest opens their mouth wide the
monster roars: its plates charge up blue, a beam leaves *its* mouth, sweeps slowly, sheds sparks and
lights the scene, the picture shakes; when the mouth closes it calms. The whole shot gets one film
grade, so room, guest and monster read as one picture.

There is no contact shadow: its feet are below the frame (seen from low, head to hips), so it meets
the scene in the ground mist, not on a visible floor.
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
from magicbooth.effects.compose import fit
from magicbooth.effects.compositing import Layer, Look, Stack, haze, match_art, measure, mist
from magicbooth.effects.faces import mesh_for, mouth_ratio
from magicbooth.effects.options import EffectOptions
from magicbooth.effects.particles import Particles, add_light
from magicbooth.effects.surface import blit_rgb

BEAM_RGB = (60.0, 150.0, 255.0)      # light of the beam and the charged plates
SCALE = 4                            # the beam and its light are drawn at 1/SCALE resolution
CHARGE_S, CALM_S = 0.35, 0.6         # roar pose in / out
MIN_FIRE_S = 0.8                     # a short shout still gives a proper blast
MATCH = 0.7                          # how far the monster takes the room's light (match_art's strength)
EXPOSURE = 0.6                       # ... and how much of that of the room's brightness
ROOM_GRID = (80, 60)                 # the person mask, sampled, to weigh the room's colour statistics
KEY = 120.0                          # the scene brightness the sprite sheet was rendered for
MIST_START = 0.5                     # ground mist starts half-way down the whole monster
DENSITY = 1.3                        # gamma giving the flat-rendered hide the density of a filmed one
BACKDROP_WRAP, BACKDROP_HARMONIZE = 0.35, 0.3   # the guest on the construction site, as the background effect


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
        rgb, a, g = cv2.LUT(parts[0], _density()), parts[1].astype(np.float32) / 255, parts[2].astype(np.float32) / 255
        for arr in (rgb, a, g):
            arr.flags.writeable = False
        out.append(Pose(rgb, a, g, (mx, my), (bx, by)))
    return tuple(out)


_LOOKS: dict[int, Look] = {}


def _look(pose: Pose) -> Look:
    """The rendered monster's own look (on the whole sprite frame), measured once per pose.

    Its brightness is the mid-grey scene the sheet was rendered for (``KEY``), not its own dark
    hide: exposure follows the room's light, and a dark monster stays dark in a bright room.
    """
    key = id(pose.rgb)
    if key not in _LOOKS:
        look = measure(pose.rgb, pose.alpha)
        _LOOKS[key] = Look(look.mean, KEY, look.contrast)
    return _LOOKS[key]


_HALF_GLOWS: dict[int, np.ndarray] = {}


def _half_glow(pose: Pose) -> np.ndarray:
    """The pose's plate glow at half size (the light picture's charge), made once per pose."""
    key = id(pose.glow)
    if key not in _HALF_GLOWS:
        g = pose.glow
        _HALF_GLOWS[key] = cv2.resize(g, ((g.shape[1] + 1) // 2, (g.shape[0] + 1) // 2), interpolation=cv2.INTER_AREA)
    return _HALF_GLOWS[key]


@functools.cache
def _density() -> np.ndarray:
    return np.round(255 * np.linspace(0, 1, 256) ** DENSITY).astype(np.uint8)


@functools.cache
def _backdrop(size: tuple[int, int]) -> np.ndarray:
    """Our construction site, scaled to cover the frame once per frame size."""
    image = np.ascontiguousarray(fit(assets.image("construction_site.jpg"), size))
    image.flags.writeable = False
    return image


class Kaiju(Effect["Kaiju.Options"]):
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

    def __init__(self, options: Kaiju.Options | None = None) -> None:
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
        self._room: Look | None = None       # the room's look, smoothed over time
        self._haze_rgb = (200.0, 204.0, 208.0)  # colour of the air around its head
        self._mouth: tuple[float, float] | None = None
        self._frames = 0

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
        self._frames += 1
        self._choose_side(scene, w)
        self._update(self._wants_roar(scene), dt)
        backdrop = _backdrop((w, h)) if self.options.backdrop else None
        self._measure_room(frame if backdrop is None else backdrop, None if backdrop is not None else scene.mask)
        monster, pose = self._monster(w, h, t)
        stack = Stack(frame, scene.mask, backdrop=backdrop)
        if monster is not None:
            stack.behind(monster)
        # On the site the guest takes its light (as the background effect does); in the room they are in it.
        if backdrop is None:
            image = stack.flatten()
        else:
            image = stack.flatten(light_wrap=BACKDROP_WRAP, harmonize=BACKDROP_HARMONIZE)
        if image is frame:
            image = np.array(frame)
        if self.options.grade:
            cv2.LUT(image, luts.film(), dst=image)
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

    def _monster(self, w: int, h: int, t: float) -> tuple[Layer | None, Pose]:
        """The monster's layer for this frame (None when it is out of the picture) and its pose."""
        poses, x0, y0 = self._placement(w, h)
        a, b, k = self._frame(poses, t)
        mouth = tuple(np.add(a.mouth, np.subtract(b.mouth, a.mouth) * k) + np.array([x0, y0]))
        pose = Pose(a.rgb, a.alpha, a.glow, mouth, tuple(np.add(a.beam, np.subtract(b.beam, a.beam) * k)))
        sh, sw = a.alpha.shape
        xs, ys, xe, ye = max(x0, 0), max(y0, 0), min(x0 + sw, w), min(y0 + sh, h)
        if xe <= xs or ye <= ys or self._room is None:
            return None, pose
        sub = (slice(ys - y0, ye - y0), slice(xs - x0, xe - x0))
        # Only the part inside the picture is touched; idle frames cross-fade so breathing is smooth
        # (light: the nearer frame alone, so breathing steps at the sheet's rate).
        if self.light:
            a = a if k < 0.5 else b
            k = 0.0
        if self.light:
            rgb, cover, glow = np.ascontiguousarray(a.rgb[sub]), np.ascontiguousarray(a.alpha[sub]), a.glow
        elif k < 0.02:
            rgb, cover, glow = (np.ascontiguousarray(p[sub]) for p in (a.rgb, a.alpha, a.glow))
        else:
            rgb, cover, glow = (cv2.addWeighted(p[sub], 1 - k, q[sub], k, 0)
                                for p, q in ((a.rgb, b.rgb), (a.alpha, b.alpha), (a.glow, b.glow)))
        # Filmed by the same camera: the room's white balance, exposure, contrast and grain (the grade is
        # worked out on the whole sprite, so it does not change as the frame edge cuts it differently).
        # Air between it and the camera (in the same table pass), and ground mist thickening towards its feet
        # (only the rows it reaches are blended).
        amount = self.options.haze
        # Light: no grain, and the mist in flat bands folded into the grade's table pass.
        fog = mist(sh, sw, MIST_START, 0.15 + 0.7 * amount)[sub]
        art = match_art(rgb, cover, self._room, MATCH, grain=not self.light, phase=self._frames, art=_look(a),
                        exposure=EXPOSURE, haze=0.05 + 0.35 * amount, air=self._haze_rgb,
                        mist=fog[:, 0] if self.light else None)
        r0 = max(round(sh * MIST_START) - sub[0].start, 0)
        if r0 < art.shape[0] and not self.light:
            art[r0:] = haze(art[r0:], fog[r0:], self._haze_rgb)
        if (self._roar > 0 or self._beam > 0) and self.light:
            self._charge_light(art, a, sub, t)
        elif self._roar > 0 or self._beam > 0:
            self._charge(art, glow, t)
        return Layer(art, cover, xs, ys), pose

    def _measure_room(self, picture: np.ndarray, person: np.ndarray | None) -> None:
        """The look the monster is matched to: the room around the guest (or the backdrop), and the colour
        of the air at the top of the picture. Smoothed over time anyway, so measured every fourth frame (every
        eighth for the light picture)."""
        if self._room is not None and self._frames % (8 if self.light else 4) != 1:
            return
        # The weight is reduced by sampling (it only weighs colour statistics): an area reduction of the
        # whole float mask cost as much as the rest of the measurement on the Pi.
        weight = None if person is None else 1.0 - cv2.resize(person, ROOM_GRID, interpolation=cv2.INTER_LINEAR)
        look = measure(picture, weight, noise=True)
        upper = picture[: max(picture.shape[0] // 3, 1)]
        top = cv2.resize(upper, (32, 8), interpolation=cv2.INTER_AREA).reshape(-1, 3).mean(0)
        air = 0.55 * top + 0.45 * np.array([205.0, 208.0, 212.0]) * (look.luma / 128.0) ** 0.5
        if self._room is not None:
            old, k = self._room, 0.4
            r, g, b = (o + (n - o) * k for o, n in zip(old.mean, look.mean, strict=True))
            look = Look((r, g, b), old.luma + (look.luma - old.luma) * k,
                        old.contrast + (look.contrast - old.contrast) * k, old.noise + (look.noise - old.noise) * k)
            air = np.add(self._haze_rgb, (air - np.array(self._haze_rgb)) * k)
        self._room = look
        self._haze_rgb = (float(air[0]), float(air[1]), float(air[2]))

    def _charge_level(self, t: float) -> float:
        return max(self._roar ** 2, self._beam) * (0.85 + 0.15 * math.sin(t * 47.0))

    def _charge_light(self, art: np.ndarray, pose: Pose, sub: tuple[slice, slice], t: float) -> None:
        """``_charge`` for the light picture: the glow coloured at half size (as the sheet stores it) in 8 bits,
        then scaled up (saturating where the full-size float one would)."""
        level = self._charge_level(t)
        half = _half_glow(pose)
        ys, xs = sub
        part = half[ys.start // 2:max((ys.stop + 1) // 2, ys.start // 2 + 1),
                    xs.start // 2:max((xs.stop + 1) // 2, xs.start // 2 + 1)]
        light = cv2.convertScaleAbs(cv2.merge([part * np.float32(c * 1.3 * level) for c in BEAM_RGB]))
        light = cv2.resize(light, (art.shape[1], art.shape[0]), interpolation=cv2.INTER_LINEAR)
        cv2.add(art, light, dst=art)

    def _charge(self, art: np.ndarray, glow: np.ndarray, t: float) -> None:
        """The plates light up blue, flickering, before and while it fires."""
        level = self._charge_level(t)
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
            few = self.light       # light: half the sparks
            self.particles.emit(origin, direction, 7 if few else 14, speed=w * 0.25, spread=0.35, life=0.7,
                                along=reach * 0.8)
            self.particles.emit(origin, direction, 3 if few else 6, speed=w * 0.6, spread=0.5, life=0.25)
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
            # (light: the mask sampled, not averaged: an area reduction reads every pixel of it)
            energy *= 1.0 - cv2.resize(mask, (energy.shape[1], energy.shape[0]),
                                       interpolation=cv2.INTER_LINEAR if self.light else cv2.INTER_AREA)
        add_light(image, energy, BEAM_RGB, gain=1.0, spread=1.5 * strength, white=0.6, ambient=0.045 * strength)

    def _show(self, canvas: pygame.Surface, image: np.ndarray, t: float) -> None:
        s = self.options.shake * self._beam * (0.6 + 0.4 * math.sin(t * 13.0))
        if s < 0.5 or self.light:      # light: no shake, one blit
            blit_rgb(canvas, image)
            return
        dx, dy = round(s * math.sin(t * 71.0)), round(s * math.sin(t * 53.0 + 1.0))
        blit_rgb(canvas, image)
        blit_rgb(canvas, image, (dx, dy))
