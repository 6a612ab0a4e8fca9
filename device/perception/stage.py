"""The pipeline stage that fills ``FramePass.scene``: offline in order, live through the workers.

>>> stage = PerceptionStage(Perception(config, effect.needs), live=pipeline.live)
>>> stage.start(); Pipeline(source, stages=[stage, effect_stage], ...).run(); stage.stop()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from magicbooth.perception.assembly import Perception

if TYPE_CHECKING:
    from magicbooth.pipeline.flow import FramePass


class PerceptionStage:
    """Adapts ``Perception`` to the pipeline's ``Stage`` protocol; model timings go to ``FramePass.timings``."""

    name = "perception"

    def __init__(self, perception: Perception, *, live: bool) -> None:
        self.perception = perception
        self.live = live

    def start(self) -> None:
        """Start the model workers (live only)."""
        if self.live and not self.perception.is_running:
            self.perception.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the model workers; raises ``WorkerError`` if one will not end."""
        if self.perception.is_running:
            self.perception.stop(timeout)

    def __call__(self, work: FramePass) -> None:
        if self.live:
            self.perception.submit(work.frame)
            scene = self.perception.scene_for(work.frame)
        else:
            scene = self.perception.process(work.frame)
        work.scene = scene
        for stage, ms in scene.timings.items():
            work.timings[f"{self.name}.{stage}"] = ms
