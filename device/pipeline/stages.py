"""The pipeline's two middle stages: perception (only what the current effect needs) and the effect.

Both follow the carousel, so switching effects live (booth buttons, arrow
keys) needs no rewiring: the perception stage asks the carousel for the
current effect's needs on every frame and moves its models to match.
"""

from __future__ import annotations

import cv2
import numpy as np
import pygame

from magicbooth.core.frames import Frame
from magicbooth.core.scene import Face, FaceMesh, Scene
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.perception.switch import PerceptionSwitch
from magicbooth.pipeline.flow import FramePass
from magicbooth.pipeline.governor import Level

HALF_MIN_WIDTH = 320  # frames narrower than this are never drawn at half resolution


class PerceptionStage:
    """Fills ``FramePass.scene``; model timings go to ``FramePass.timings`` as ``perception.<model>``.

    ``still`` treats every frame as an unrelated photo (no tracking, no smoothing).
    """

    name = "perception"

    def __init__(self, switch: PerceptionSwitch, carousel: EffectCarousel, *, still: bool = False) -> None:
        self.switch = switch
        self.carousel = carousel
        self.still = still

    def start(self) -> None:
        """Start the model workers of the current effect (live)."""
        self.switch.use(self.carousel.needs)
        self.switch.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every model worker that was started; ``WorkerError`` if one will not end."""
        self.switch.stop(timeout)

    def set_quality(self, level: Level) -> None:
        """The quality governor's perception knobs (mask and mesh rate, model threads)."""
        self.switch.set_quality(level.perception)

    def __call__(self, work: FramePass) -> None:
        self.switch.use(self.carousel.needs)
        if self.switch.active is None:
            return
        work.scene = self.switch.scene(work.frame, still=self.still)
        for stage, ms in work.scene.timings.items():
            work.timings[f"{self.name}.{stage}"] = ms


class EffectStage:
    """Draws the carousel's current effect onto the frame's canvas; the scene defaults to "nothing found".

    The quality governor's effect knobs: ``light`` (the effect's ``light`` attribute) and ``half`` (the
    effect draws a half-size picture from a half-size scene, scaled back up to the frame).
    """

    name = "effect"

    def __init__(self, carousel: EffectCarousel) -> None:
        self.carousel = carousel
        self.light = False
        self.half = False

    def set_quality(self, level: Level) -> None:
        if level.half != self.half:
            self.carousel.current.reset()   # its smoothing state is in the other size's pixels
        self.light, self.half = level.light, level.half

    def __call__(self, work: FramePass) -> None:
        scene = work.scene if work.scene is not None else Scene(work.frame)
        effect = self.carousel.current
        effect.light = self.light
        w, h = work.frame.size
        if not self.half or w < HALF_MIN_WIDTH:
            effect.render(work.canvas, scene, work.frame.t)
            return
        small = cv2.resize(work.image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        # ignore: pygame's stub takes bytes-like types only; frombuffer takes any buffer (numpy too)
        canvas = pygame.image.frombuffer(small, (w // 2, h // 2), "RGB")  # type: ignore[arg-type]
        effect.render(canvas, half_scene(scene, small), work.frame.t)
        cv2.resize(small, (w, h), dst=work.image, interpolation=cv2.INTER_LINEAR)


def half_scene(scene: Scene, image: np.ndarray) -> Scene:
    """``scene`` at the size of ``image`` (half the frame): boxes, keypoints, meshes and mask scaled alike."""
    sx = image.shape[1] / scene.frame.size[0]
    sy = image.shape[0] / scene.frame.size[1]
    frame = Frame(image, scene.frame.t, scene.frame.index, scene.frame.lores)
    faces = tuple(Face((f.box[0] * sx, f.box[1] * sy, f.box[2] * sx, f.box[3] * sy), f.score,
                       {k: (x * sx, y * sy) for k, (x, y) in f.keypoints.items()}) for f in scene.faces)
    meshes = tuple(FaceMesh((m.points * np.array([sx, sy, sx], np.float32)).astype(np.float32), m.presence)
                   for m in scene.meshes)
    mask = None
    if scene.mask is not None:
        mask = cv2.resize(scene.mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_AREA)
    return Scene(frame, faces, meshes, mask, scene.timings)
