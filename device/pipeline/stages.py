"""The pipeline's two middle stages: perception (only what the current effect needs) and the effect.

Both follow the carousel, so switching effects live (booth buttons, arrow
keys) needs no rewiring: the perception stage asks the carousel for the
current effect's needs on every frame and moves its models to match.
"""

from __future__ import annotations

from magicbooth.core.scene import Scene
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.perception.switch import PerceptionSwitch
from magicbooth.pipeline.flow import FramePass


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

    def __call__(self, work: FramePass) -> None:
        self.switch.use(self.carousel.needs)
        if self.switch.active is None:
            return
        work.scene = self.switch.scene(work.frame, still=self.still)
        for stage, ms in work.scene.timings.items():
            work.timings[f"{self.name}.{stage}"] = ms


class EffectStage:
    """Draws the carousel's current effect onto the frame's canvas; the scene defaults to "nothing found"."""

    name = "effect"

    def __init__(self, carousel: EffectCarousel) -> None:
        self.carousel = carousel

    def __call__(self, work: FramePass) -> None:
        scene = work.scene if work.scene is not None else Scene(work.frame)
        self.carousel.current.render(work.canvas, scene, work.frame.t)
