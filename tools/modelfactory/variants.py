"""One int8 graph per CPU class: which ops each keeps float32, as ``tools/search_islands.py`` chose them.

``variants.toml`` beside this file is written by the search and read by the
build: per model and CPU class the float ops, the op kinds kept whole (their
rewrite pass skipped), and what the search measured (ARM instructions per
invoke, accuracy on the tuning split, the sha256 of the graph measured). A
model the search has not seen yet (a new spec) gets its spec's hand-chosen
islands for every class, so it builds and ships as one graph until searched.

Classes are ``magicbooth.inference.cpu``'s: ``arm`` (no int8 dot product,
counted as Cortex-A72) and ``arm_dotprod`` (counted as Cortex-A76); x86-64
runs whichever of the two graphs measured faster there.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from magicbooth.inference.cpu import COUNTED_CORE, DEFAULT
from tools.modelfactory.specs import ModelSpec

PATH = Path(__file__).with_name("variants.toml")
COUNTED_ON = COUNTED_CORE  # the core each class is counted as
CLASSES = tuple(COUNTED_ON)
HEADER = ("# Written by tools/search_islands.py; do not edit. Per model and CPU class: the ops the int8 graph keeps\n"
          "# float32 and what the search measured. tools/build_models.py builds from it.\n")
# Models whose every class loads the default class's graph, and why: the search's own pick for the other
# classes met its floor on the tuning split but not the targets on held-out data.
ONE_GRAPH = {
    "face_detection_short_range": "its Cortex-A76 pick (0.760 of float against 0.779) met the tuning floor (recall "
                                  "0.968) but missed 1 of 33 held-out faces (recall 0.970, box IoU 0.934 against "
                                  "0.972), and its shifted boxes moved the face mesh enough that the time machine "
                                  "greyed Grace Hopper's cap (tests/test_effects_timemachine.py)",
}
# Op kinds with a rewrite pass into int8-friendly ops, and that pass: a kind kept whole stays float32.
REWRITTEN_KINDS = {"PRELU": "prelu", "HARD_SWISH": "hard_swish"}


@dataclass(frozen=True)
class Islands:
    """What one int8 graph keeps float32."""

    keep: tuple[str, ...] = ()  # op kinds kept whole, not rewritten: float32 islands wherever they occur
    floats: tuple[str, ...] | None = None  # output names of the float32 ops; None: the spec's hand choice
    summary: str = ""  # in words, for the manifest

    @property
    def key(self) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
        return self.keep, self.floats


@dataclass(frozen=True)
class Variant:
    """The search's choice for one CPU class, with what it measured."""

    islands: Islands
    instructions: dict[str, int] = field(default_factory=dict)  # counted core -> ARM instructions per invoke
    tuning: dict[str, float] = field(default_factory=dict)  # accuracy on the tuning split
    sha256: str = ""  # the int8 graph those figures are of


@dataclass(frozen=True)
class ModelVariants:
    """Every class's graph for one model, the float reference's counts and the x86 pick."""

    classes: dict[str, Variant]
    float_instructions: dict[str, int] = field(default_factory=dict)
    x86_64: str = DEFAULT  # the class whose graph x86-64 runs
    x86_ms: dict[str, float] = field(default_factory=dict)  # class -> median ms at 1 thread where measured


def variant_key(cpu_class: str) -> str:
    """The manifest's name for a class's graph: ``int8`` for the default class, ``int8_dotprod`` for ``arm_dotprod``."""
    return "int8" if cpu_class == DEFAULT else "int8_" + cpu_class.removeprefix("arm_")


def hand_islands(spec: ModelSpec) -> Islands:
    """The spec's own islands: what every class gets until the search has seen the model."""
    return Islands(tuple(kind for kind in spec.float_ops if kind in REWRITTEN_KINDS), None, "")


def islands_for(spec: ModelSpec, chosen: dict[str, ModelVariants]) -> dict[str, Islands]:
    """CPU class -> islands for ``spec``: the search's where it has one, else the spec's for every class."""
    found = chosen.get(spec.name)
    if found is None:
        return dict.fromkeys(CLASSES, hand_islands(spec))
    return {cls: found.classes[cls].islands if cls in found.classes else hand_islands(spec) for cls in CLASSES}


def load(path: Path = PATH) -> dict[str, ModelVariants]:
    """The search's choices; empty where it has not run."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {name: _model(entry) for name, entry in data.items()}


def write(chosen: dict[str, ModelVariants], path: Path = PATH) -> None:
    """Write every model's choices in name order (stable bytes)."""
    path.write_text(HEADER + tomli_w.dumps({name: _table(chosen[name]) for name in sorted(chosen)}),
                    encoding="utf-8")


def _model(entry: dict[str, Any]) -> ModelVariants:
    classes = {}
    for cls in CLASSES:
        part = entry.get(cls)
        if part is None:
            continue
        floats = None if part.get("hand") else tuple(part["float"])  # hand: the spec's islands, as never searched
        islands = Islands(tuple(part.get("keep", ())), floats, part.get("summary", ""))
        classes[cls] = Variant(islands, dict(part.get("instructions", {})), dict(part.get("tuning", {})),
                               part.get("sha256", ""))
    return ModelVariants(classes, dict(entry.get("float_instructions", {})), entry.get("x86_64", DEFAULT),
                         dict(entry.get("x86_ms", {})))


def _table(model: ModelVariants) -> dict[str, Any]:
    table: dict[str, Any] = {"x86_64": model.x86_64}
    if model.x86_ms:
        table["x86_ms"] = model.x86_ms
    if model.float_instructions:
        table["float_instructions"] = model.float_instructions
    for cls, variant in model.classes.items():
        table[cls] = {"summary": variant.islands.summary, "keep": list(variant.islands.keep),
                      **({"hand": True} if variant.islands.floats is None else
                         {"float": list(variant.islands.floats)}),
                      "sha256": variant.sha256, "instructions": variant.instructions, "tuning": variant.tuning}
    return table
