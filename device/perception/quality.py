"""What perception can do cheaper when the booth runs short of time: the knobs the quality governor turns.

``pipeline.governor`` picks a level; each level says how perception should run (``PerceptionQuality``)
and ``Perception.set_quality`` applies it to the live workers without a restart.

>>> PerceptionQuality(), PerceptionQuality(mask_every=2, threads=1).describe()
(PerceptionQuality(mask_every=1, mesh_every=1, threads=None), 'mask every 2nd frame, 1 model thread')
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PerceptionQuality:
    """``mask_every``/``mesh_every``: the mask and (live) face mesh models run on at most every Nth frame (the newest
    result stands in between); ``threads``: LiteRT threads per model (None: ``[inference] threads``)."""

    mask_every: int = 1
    mesh_every: int = 1
    threads: int | None = None

    def describe(self) -> str:
        parts = [f"{what} every {n}{'nd' if n == 2 else 'th'} frame"
                 for what, n in (("mask", self.mask_every), ("mesh", self.mesh_every)) if n > 1]
        if self.threads is not None:
            parts.append(f"{self.threads} model thread{'s' if self.threads != 1 else ''}")
        return ", ".join(parts) or "as configured"
