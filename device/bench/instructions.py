"""The models' ARM instructions per invoke, by CPU class: what ``--arm-counts`` adds per model.

For each model in the installed manifest and each CPU class with a counted
core (``magicbooth.inference.cpu.COUNTED_CORE``: ``arm`` on Cortex-A72, the
Pi 4; ``arm_dotprod`` on Cortex-A76, the Pi 5): the graph the loader picks for
that class (``loader.pick``), its instructions per invoke on that core, the
float graph's on the same core, and int8/float against the class's target
(the issue's: ≤ 0.9 on Cortex-A72, ≤ 0.7 on Cortex-A76, as in
``models_tflite/REPORT.md``). The counts are the ones the model factory wrote
into ``manifest.toml`` beside the files this install loads, so the graph named
is the one each class really gets. A graph without a count on the core is
``not_measured`` with the reason, never 0. Where the manifest also holds a
count of the float graph run with the fp16 hint on the core, it is shown
beside (``float_fp16_instructions``); the ratio stays against plain float.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from magicbooth.bench.measures import Record, measured, not_measured
from magicbooth.inference.cpu import INSTRUCTION_TARGETS as TARGETS

if TYPE_CHECKING:
    from magicbooth.inference.loader import ManifestEntry

Counts = dict[tuple[str, str], dict[str, int]]  # (model, graph) -> counted core -> instructions per invoke


def by_cpu_class(models_dir: Path | None = None) -> Record:
    """The section for the report: per model, per counted CPU class, graph, counts and int8/float."""
    try:
        from magicbooth.inference.cpu import COUNTED_CORE
        from magicbooth.inference.loader import MANIFEST, MODELS_DIR, read_instructions, read_manifest
    except ImportError:
        return not_measured("the model loader (magicbooth.inference.loader) is not part of this build")
    from magicbooth.core.errors import ModelError

    directory = Path(models_dir) if models_dir is not None else MODELS_DIR
    try:
        entries, counts = read_manifest(directory), read_instructions(directory)
    except ModelError as exc:
        return not_measured(str(exc))
    cores = dict(COUNTED_CORE)
    names = sorted({name for name, _ in entries})
    return measured(manifest=str(directory / MANIFEST), cores=cores,
                    targets={cls: TARGETS[cls] for cls in cores if cls in TARGETS},
                    models=[model_row(name, entries, counts, cores) for name in names])


def model_row(name: str, entries: dict[tuple[str, str], ManifestEntry], counts: Counts,
              cores: dict[str, str]) -> Record:
    """One model: for each class, the graph it loads and how it compares with float on the class's core."""
    from magicbooth.inference.loader import pick

    return {"name": name, "by_class": {cls: class_row(name, pick(entries, name, cls), cls, core, counts)
                                       for cls, core in cores.items()}}


def class_row(name: str, graph: str, cls: str, core: str, counts: Counts) -> Record:
    """``graph``'s instructions on ``core`` against the float graph's, judged by the class's target."""
    ident: dict[str, Any] = {"cpu_class": cls, "core": core, "graph": graph}
    if cls in TARGETS:
        ident["target"] = TARGETS[cls]
    n, f = counts.get((name, graph), {}).get(core), counts.get((name, "float"), {}).get(core)
    if n is None or f is None:
        missing = " or ".join(g for g, c in ((graph, n), ("float", f)) if c is None)
        return not_measured(f"the manifest has no {core} count for {name} {missing}", **ident)
    row = measured(**ident, instructions=n, float_instructions=f, ratio=round(n / f, 4))
    if "target" in row:
        row["met"] = n / f <= row["target"]
    fp16 = float_fp16(counts, name, core)
    if fp16 is not None:
        row["float_fp16_instructions"] = fp16
    return row


def float_fp16(counts: Counts, name: str, core: str) -> int | None:
    """The float graph's count on ``core`` with the fp16 hint, under whatever key the manifest gives it."""
    for (model, graph), table in sorted(counts.items()):
        if model != name or not graph.startswith("float"):
            continue
        for key, value in sorted(table.items()):
            if core in key and "fp16" in f"{graph}.{key}":
                return value
    return None

