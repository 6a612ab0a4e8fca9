"""A small vectorised particle system for beams, with a glow drawn at quarter resolution."""

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
             life: float) -> None:
        """Add n particles at ``origin`` moving along unit ``direction`` with angular ``spread`` (radians)."""
        ang = np.arctan2(direction[1], direction[0]) + self.rng.normal(0, spread, n)
        spd = speed * self.rng.uniform(0.7, 1.3, n)
        vel = np.stack([np.cos(ang) * spd, np.sin(ang) * spd], 1).astype(np.float32)
        pos = np.repeat(np.asarray(origin, np.float32)[None], n, 0) + vel * self.rng.uniform(0, 0.03, (n, 1))
        self.pos = np.vstack([self.pos, pos])[-self.capacity:]
        self.vel = np.vstack([self.vel, vel])[-self.capacity:]
        self.life = np.concatenate([self.life, self.rng.uniform(0.5, 1.0, n).astype(np.float32) * life])
        self.life = self.life[-self.capacity:]

    def step(self, dt: float, size: tuple[int, int]) -> None:
        """Advance by dt seconds and drop dead or off-screen particles."""
        self.pos += self.vel * dt
        self.life -= dt
        w, h = size
        keep = (self.life > 0) & (self.pos[:, 0] > -50) & (self.pos[:, 0] < w + 50) & (self.pos[:, 1] > -50) & (
            self.pos[:, 1] < h + 50)
        self.pos, self.vel, self.life = self.pos[keep], self.vel[keep], self.life[keep]

    def density(self, size: tuple[int, int], scale: int = 4) -> np.ndarray:
        """Particle counts splatted into a (h/scale, w/scale) float32 image."""
        w, h = size
        sw, sh = w // scale, h // scale
        img = np.zeros((sh, sw), np.float32)
        if self.count:
            p = (self.pos / scale).astype(np.int32)
            ok = (p[:, 0] >= 0) & (p[:, 0] < sw) & (p[:, 1] >= 0) & (p[:, 1] < sh)
            np.add.at(img, (p[ok, 1], p[ok, 0]), np.clip(self.life[ok] * 4, 0.2, 1.0))
        return img


def add_glow(image: np.ndarray, energy: np.ndarray, colour: tuple[float, float, float], gain: float) -> None:
    """Add a glowing light from a small float ``energy`` map onto ``image`` in place (saturating).

    The light is built at the energy map's (low) resolution and upscaled as uint8, so the
    full-resolution work is one resize and one saturating add.
    """
    h, w = image.shape[:2]
    halo = (cv2.GaussianBlur(energy, (0, 0), 3) * 0.8 + cv2.GaussianBlur(energy, (0, 0), 1)) * gain
    core = np.clip(halo - 1.0, 0, None) * 255  # where it saturates, it burns white
    light = cv2.merge([halo * c + core for c in colour])
    light = cv2.convertScaleAbs(light)  # saturate to uint8
    cv2.add(image, cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR), dst=image)
