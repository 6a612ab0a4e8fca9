"""Which effect the end-to-end run draws: the one named, or the heaviest installed.

"Heaviest" means the effect that needs the face mesh and the person mask (so
every model runs and the render does the most work), else the one with the
most needs.
"""

from __future__ import annotations

from magicbooth.core.errors import EffectError

HEAVY = frozenset({"mesh", "mask"})


def effect_name(spec: str | None) -> str:
    """``spec`` checked against the registry, or the heaviest effect when it is empty."""
    from magicbooth import effects
    if spec:
        effects.get(spec)  # EffectError listing the valid names
        return spec
    table = effects.available()
    if not table:
        raise EffectError("no effects are installed")
    complete = [n for n, cls in table.items() if cls.needs >= HEAVY]
    pool = complete or list(table)
    return max(pool, key=lambda n: (len(table[n].needs), n in complete))


def needs_of(name: str) -> frozenset[str]:
    """The perception outputs effect ``name`` draws with."""
    from magicbooth import effects
    return effects.get(name).needs
