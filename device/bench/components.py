"""Which effect the end-to-end run draws, and an effect as a pipeline stage.

"Heaviest" means the effect (or pair of effects) that needs the face mesh and
the person mask, so every model runs and the render does the most work.
"""

from __future__ import annotations

from typing import Any

from device.display import ensure_canvas
from device.errors import EffectError
from device.pipeline import FramePass

HEAVY = frozenset({"mesh", "mask"})


def effect_names(spec: str | None) -> list[str]:
    """Effect names for ``--effect`` (``a+b`` draws both, in order); empty means the heaviest."""
    import effects

    table = effects.available()
    if spec:
        names = [n.strip() for n in spec.split("+") if n.strip()]
        for name in names:
            effects.get(name)  # EffectError listing the valid names
        return names
    if not table:
        raise EffectError("no effects are installed")
    complete = [n for n, cls in table.items() if cls.needs >= HEAVY]
    if complete:
        return [max(complete, key=lambda n: len(table[n].needs))]
    mesh = [n for n, cls in table.items() if "mesh" in cls.needs]
    mask = [n for n, cls in table.items() if "mask" in cls.needs]
    chosen = mask[:1] + mesh[:1]  # background first, then the face on top
    return chosen or [max(table, key=lambda n: len(table[n].needs))]


def needs_of(names: list[str]) -> frozenset[str]:
    import effects

    out: frozenset[str] = frozenset()
    for name in names:
        out |= effects.get(name).needs
    return out


class EffectStage:
    """One effect drawing onto the frame's canvas (perception's and the recorder's stages come from them)."""

    def __init__(self, effect: Any) -> None:
        self.effect = effect
        self.name = f"effect {effect.name}"

    def __call__(self, work: FramePass) -> None:
        from device.scene import Scene

        scene = work.scene if work.scene is not None else Scene(work.frame)
        self.effect.render(ensure_canvas(work), scene, work.frame.t)
