"""Per-model micro-benchmark, the way TFLite's ``benchmark_model`` reports one model.

For each model, variant (float reference, every int8 graph; ``picked`` marks the
one the loader picks for this CPU) and thread count: time to
load, check and allocate it through the runtime loader (init), the first invoke (XNNPACK packs weights here), and
warm invokes (median, p90, p99, stddev over N), plus how many XNNPACK
partitions the graph split into (one is best; each extra one is a hand-off to
the default kernels and back). ``warm_cpu_ms`` is the CPU time of the same
invokes, all threads: on a shared machine it stays put while wall time does not.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from magicbooth.bench.measures import Record, measured, not_measured, rounded, summarize
from magicbooth.core.config import Config

log = logging.getLogger(__name__)

Opener = Callable[[int], Any]  # threads -> a loaded ``magicbooth.inference.loader.Model``


@dataclass(frozen=True)
class ModelCase:
    """One model file to benchmark: its name, its manifest key (``float``, ``int8``, ``int8_dotprod``...), how to open
    it, and whether it is the int8 graph the loader picks on this CPU."""

    name: str
    variant: str
    open: Opener
    path: str = ""
    picked: bool = False


def discover(config: Config) -> tuple[list[ModelCase], str | None]:
    """Every model in the runtime loader's manifest, float reference and each int8 graph; or none and why."""
    try:
        from magicbooth.inference.loader import MODELS_DIR, pick, read_manifest
    except ImportError:
        return [], "the model loader (magicbooth.inference.loader) is not part of this build"
    from magicbooth.core.errors import ModelError
    from magicbooth.inference.cpu import cpu_class

    try:
        entries = read_manifest()
    except ModelError as exc:
        return [], str(exc)
    here = cpu_class()
    cases = []
    for (name, variant), entry in sorted(entries.items(), key=lambda kv: (kv[0][0], kv[0][1] != "float", kv[0][1])):
        cases.append(ModelCase(name, variant, _opener(name, variant), str(MODELS_DIR / entry.file),
                               picked=variant != "float" and variant == pick(entries, name, here)))
    return cases, None


def _opener(name: str, variant: str) -> Opener:
    def open_(threads: int) -> Any:
        from magicbooth.inference.loader import load_model

        return load_model(name, threads, variant=variant)

    return open_


def random_inputs(interpreter: Any, seed: int = 0) -> list[tuple[int, np.ndarray]]:
    """Deterministic random data for every input, in its own dtype and shape."""
    rng = np.random.default_rng(seed)
    inputs = []
    for detail in interpreter.get_input_details():
        dtype = np.dtype(detail["dtype"])
        shape = tuple(int(n) for n in detail["shape"])
        if dtype.kind == "f":
            data = rng.uniform(-1.0, 1.0, shape).astype(dtype)
        else:
            info = np.iinfo(dtype)
            data = rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)
        inputs.append((detail["index"], data))
    return inputs


def raw_interpreter(model: Any) -> Any:
    """The LiteRT interpreter inside a loaded model: timed bare, as ``benchmark_model`` does.

    ``Model.invoke`` adds numpy (de)quantization around it; that cost belongs
    to the perception stage, which the stage benchmark measures.
    """
    return getattr(model, "interpreter", None) or model._interpreter


def benchmark(case: ModelCase, threads: int, runs: int, *, when_run: Callable[[], None] | None = None) -> Record:
    """Init, first invoke and ``runs`` warm invokes of one model at ``threads`` threads."""
    ident = {"name": case.name, "variant": case.variant, "threads": threads,
             **({"picked": True} if case.picked else {})}
    gc.collect()
    began = time.perf_counter()
    try:
        model = case.open(threads)
    except Exception as exc:
        return not_measured(f"could not load {case.path or case.name}: {exc}", **ident)
    init_ms = (time.perf_counter() - began) * 1000.0
    interpreter = raw_interpreter(model)
    inputs = random_inputs(interpreter)
    for index, data in inputs:
        interpreter.set_tensor(index, data)
    began = time.perf_counter()
    interpreter.invoke()
    first_ms = (time.perf_counter() - began) * 1000.0
    samples, cpu = [], []
    for _ in range(runs):
        for index, data in inputs:
            interpreter.set_tensor(index, data)
        began, cpu_began = time.perf_counter(), time.process_time()
        interpreter.invoke()
        samples.append((time.perf_counter() - began) * 1000.0)
        cpu.append((time.process_time() - cpu_began) * 1000.0)
        if when_run is not None:
            when_run()
    return measured(**ident, init_ms=round(init_ms, 3), first_invoke_ms=round(first_ms, 3),
                    warm_ms=summarize(samples), samples_ms=rounded(samples), warm_cpu_ms=summarize(cpu),
                    xnnpack_partitions=model.delegation.partitions,
                    ops_outside_xnnpack=len(model.delegation.undelegated))


def benchmark_all(cases: Sequence[ModelCase], threads: Sequence[int], runs: int,
                  when_run: Callable[[], None] | None = None) -> list[Record]:
    """Every case at every thread count."""
    return [benchmark(case, n, runs, when_run=when_run) for case in cases for n in threads]
