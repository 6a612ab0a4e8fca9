"""A small vectorised particle system, and light drawn from a low-resolution energy map."""

from __future__ import annotations

import cv2
import numpy as np


class Particles:
    """Particles with position, velocity and remaining life (seconds); seeded, so deterministic."""

    def __init__(self, seed: int = 0, capacity: int = 4000) -> None:
        self.seed, self.capacity = seed, capacity
        self.reset()

    def reset(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.pos = np.zeros((0, 2), np.float32)
        self.vel = np.zeros((0, 2), np.float32)
        self.life = np.zeros(0, np.float32)

    @property
    def count(self) -> int:
        return len(self.life)

    def emit(self, origin: np.ndarray, direction: np.ndarray, n: int, speed: float, spread: float,
             life: float, along: float = 0.0) -> None:
        """Add n particles moving along unit ``direction`` with angular ``spread`` (radians).

        They start at ``origin``, or anywhere up to ``along`` pixels down the direction from it (sparks
        shed along a beam).
        """
        ang = np.arctan2(direction[1], direction[0]) + self.rng.normal(0, spread, n)
        spd = speed * self.rng.uniform(0.7, 1.3, n)
        vel = np.stack([np.cos(ang) * spd, np.sin(ang) * spd], 1).astype(np.float32)
        start = self.rng.uniform(0, along, (n, 1)) * np.asarray(direction, np.float32)[None] if along else 0
        pos = np.asarray(origin, np.float32)[None] + start + vel * self.rng.uniform(0, 0.03, (n, 1))
        self.pos = np.vstack([self.pos, pos.astype(np.float32)])[-self.capacity:]
        self.vel = np.vstack([self.vel, vel])[-self.capacity:]
        self.life = np.concatenate([self.life, self.rng.uniform(0.5, 1.0, n).astype(np.float32) * life])
        self.life = self.life[-self.capacity:]

    def step(self, dt: float, size: tuple[int, int], drag: float = 0.0, lift: float = 0.0) -> None:
        """Advance by dt seconds (slowing by ``drag`` per second, rising by ``lift`` px/s²); drop the dead."""
        if drag:
            self.vel *= np.float32(max(0.0, 1 - drag * dt))
        if lift:
            self.vel[:, 1] -= np.float32(lift * dt)
        self.pos += self.vel * dt
        self.life -= dt
        w, h = size
        keep = (self.life > 0) & (self.pos[:, 0] > -50) & (self.pos[:, 0] < w + 50) & (self.pos[:, 1] > -50) & (
            self.pos[:, 1] < h + 50)
        self.pos, self.vel, self.life = self.pos[keep], self.vel[keep], self.life[keep]

    def splat(self, energy: np.ndarray, scale: int, gain: float = 1.0) -> None:
        """Add each particle's brightness (fading with its life) into a (h/scale, w/scale) float32 map."""
        if not self.count:
            return
        sh, sw = energy.shape
        p = (self.pos / scale).astype(np.int32)
        ok = (p[:, 0] >= 0) & (p[:, 0] < sw) & (p[:, 1] >= 0) & (p[:, 1] < sh)
        np.add.at(energy, (p[ok, 1], p[ok, 0]), np.clip(self.life[ok] * 4, 0.2, 1.0) * gain)


def add_light(image: np.ndarray, energy: np.ndarray, colour: tuple[float, float, float], gain: float,
              spread: float = 0.0, white: float = 1.0, ambient: float = 0.0) -> None:
    """Add glowing light from a small float ``energy`` map onto ``image`` in place (saturating).

    The glow is a tight and a wider blur of the energy; ``spread`` adds a much wider blur that lights the
    surroundings (light cast on the scene) and ``ambient`` lights everything evenly (a flash). Where it
    saturates the light burns towards white. Everything
    is built at the map's (low) resolution and upscaled as uint8, so the full-resolution work is one
    resize and one saturating add.
    """
    h, w = image.shape[:2]
    halo = cv2.GaussianBlur(energy, (0, 0), 3) * 0.8 + cv2.GaussianBlur(energy, (0, 0), 1)
    if spread > 0:  # the wide light is blurred at a quarter of the map's size (a sigma-14 kernel costs 85 taps)
        eh, ew = energy.shape
        small = cv2.resize(energy, (max(ew // 4, 1), max(eh // 4, 1)), interpolation=cv2.INTER_AREA)
        wide = cv2.resize(cv2.GaussianBlur(small, (0, 0), 3.5), (ew, eh), interpolation=cv2.INTER_LINEAR)
        halo += wide * spread
    halo *= gain
    if ambient:
        halo += ambient
    core = np.clip(halo - 1.0, 0, None) * (255 * white)
    light = cv2.merge([halo * c + core for c in colour])
    light = cv2.convertScaleAbs(light)  # saturate to uint8
    cv2.add(image, cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR), dst=image)
