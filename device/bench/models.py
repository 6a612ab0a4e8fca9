"""Per-model micro-benchmark, the way TFLite's ``benchmark_model`` reports one model.

For each model, variant (float reference, int8) and thread count: time to
load and allocate (init), the first invoke (XNNPACK packs weights here), and
warm invokes (median, p90, p99, stddev over N), plus how many XNNPACK
partitions the graph split into (one is best; each extra one is a hand-off to
the default kernels and back).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from device.bench.measures import Record, measured, not_measured, rounded, summarize
from device.config import Config

log = logging.getLogger(__name__)

Opener = Callable[[int], Any]  # threads -> an un-allocated LiteRT interpreter


@dataclass(frozen=True)
class ModelCase:
    """One model file to benchmark: its name, ``float`` or ``int8``, and how to open it."""

    name: str
    variant: str
    open: Opener
    path: str = ""


def discover(config: Config) -> tuple[list[ModelCase], str | None]:
    """The models the runtime loader knows, float and int8; or none and why."""
    try:
        from device import inference  # noqa: F401  (the models branch's loader)
    except ImportError:
        return [], "the model loader (device.inference) is not part of this build"
    return [], "the model loader's API is not wired into the benchmark yet"


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


def partitions_of(interpreter: Any) -> int | None:
    """XNNPACK partitions, counted by the model tooling's delegation walk (``None`` if absent)."""
    try:
        from device.delegation import delegation_of
    except ImportError:
        return None
    return delegation_of(interpreter).partitions


def benchmark(case: ModelCase, threads: int, runs: int, *, when_run: Callable[[], None] | None = None) -> Record:
    """Init, first invoke and ``runs`` warm invokes of one model at ``threads`` threads."""
    ident = {"name": case.name, "variant": case.variant, "threads": threads}
    gc.collect()
    began = time.perf_counter()
    try:
        interpreter = case.open(threads)
        interpreter.allocate_tensors()
    except Exception as exc:
        return not_measured(f"could not load {case.path or case.name}: {exc}", **ident)
    init_ms = (time.perf_counter() - began) * 1000.0
    inputs = random_inputs(interpreter)
    for index, data in inputs:
        interpreter.set_tensor(index, data)
    began = time.perf_counter()
    interpreter.invoke()
    first_ms = (time.perf_counter() - began) * 1000.0
    samples = []
    for _ in range(runs):
        for index, data in inputs:
            interpreter.set_tensor(index, data)
        began = time.perf_counter()
        interpreter.invoke()
        samples.append((time.perf_counter() - began) * 1000.0)
        if when_run is not None:
            when_run()
    return measured(**ident, init_ms=round(init_ms, 3), first_invoke_ms=round(first_ms, 3),
                    warm_ms=summarize(samples), samples_ms=rounded(samples),
                    xnnpack_partitions=partitions_of(interpreter))


def benchmark_all(cases: Sequence[ModelCase], threads: Sequence[int], runs: int,
                  when_run: Callable[[], None] | None = None) -> list[Record]:
    """Every case at every thread count."""
    return [benchmark(case, n, runs, when_run=when_run) for case in cases for n in threads]
