"""Runs the benchmark's phases in order and assembles the report.

The end-to-end run goes first, straight after start-up, so its peak RSS is
the booth's own and not left over from loading every model variant; the
thermal sampler runs across all phases.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from magicbooth import __version__
from magicbooth.bench import device_info, instructions, models, stages
from magicbooth.bench.endtoend import EndToEnd
from magicbooth.bench.levels import load_check, measure_levels
from magicbooth.bench.measures import is_measured
from magicbooth.bench.predict import predict_pi4
from magicbooth.bench.progress import Progress
from magicbooth.bench.schema import SCHEMA_ID, SCHEMA_VERSION
from magicbooth.bench.thermal import ThermalSampler
from magicbooth.bench.verdict import judge
from magicbooth.core.config import Config
from magicbooth.inference import amx
from magicbooth.pipeline.governor import LEVELS

log = logging.getLogger(__name__)

# The governor's load check (--load-check): calm, then loaded, then calm long enough to step back up.
LOAD_CALM_S, LOAD_S, LOAD_AFTER_S = 10.0, 50.0, 70.0


@dataclass(frozen=True)
class BenchSettings:
    """What one run does; ``None`` fields come from the ``[bench]`` config section."""

    quick: bool = False
    seconds: float | None = None
    threads: tuple[int, ...] | None = None
    source: str | None = None
    effect: str | None = None
    progress: bool = True
    arm_counts: dict[str, Any] | None = None
    parts: frozenset[str] = field(default_factory=lambda: frozenset({"end_to_end", "levels", "stages", "models"}))
    load_procs: int = 0   # > 0: also the governor's check under that many spinning processes (--load-check)


def resolve(settings: BenchSettings, config: Config, cores: int) -> dict[str, Any]:
    """Concrete values for this run (the ``settings`` section of the report)."""
    b = config.bench
    if settings.threads:
        threads = sorted(set(settings.threads))
    elif settings.quick:
        threads = [1]
    else:
        threads = sorted({n for n in b.threads if n <= cores} | {1})
    return {
        "quick": settings.quick,
        "seconds": float(settings.seconds or (b.quick_seconds if settings.quick else b.seconds)),
        "threads": threads,
        "source": settings.source or config.camera.source,
        "effect": settings.effect or b.effect or None,
        "size": list(config.camera.size),
        "budget_ms": round(1000.0 / b.fps, 3),
        "warm_runs": b.quick_warm_runs if settings.quick else b.warm_runs,
        "stage_frames": b.quick_stage_frames if settings.quick else b.stage_frames,
        "level_seconds": b.quick_level_seconds if settings.quick else b.level_seconds,
    }


def run_bench(settings: BenchSettings, config: Config) -> dict[str, Any]:
    """Measure everything ``settings.parts`` asks for; returns the report (schema ``magicbooth.bench/1``)."""
    started = time.monotonic()
    device = device_info.collect()
    s = resolve(settings, config, device["usable_cores"])
    cases, models_note = models.discover(config) if "models" in settings.parts else ([], "skipped")
    model_steps = len(cases) * len(s["threads"]) * s["warm_runs"]
    level_runs = len(LEVELS) * (s["level_seconds"] + config.bench.warmup_s + 2) if "levels" in settings.parts else 0
    load_s = LOAD_CALM_S + LOAD_S + LOAD_AFTER_S if settings.load_procs > 0 else 0.0
    progress = Progress({"end to end": s["seconds"] + config.bench.warmup_s, "quality levels": max(0.1, level_runs),
                         "load check": max(0.1, load_s),
                         "stages": 0.3 * s["stage_frames"] / 10, "models": max(0.1, model_steps / 200)},
                        enabled=settings.progress)
    sampler = ThermalSampler(config.bench.sample_interval_s if not settings.quick else
                             min(config.bench.sample_interval_s, 0.5))
    sampler.start()
    progress.when_phase = lambda name: setattr(sampler, "phase", name)
    report: dict[str, Any] = {"schema": SCHEMA_ID, "schema_version": SCHEMA_VERSION, "created": "",
                              "magicbooth": __version__, "settings": s, "device": device}
    try:
        if "end_to_end" in settings.parts:
            progress.phase("end to end")
            e2e = EndToEnd(config, s["source"], effect=s["effect"], seconds=s["seconds"],
                           warmup_s=config.bench.warmup_s,
                           when_progress=progress.fraction)
            report["end_to_end"] = e2e.run()
        else:
            report["end_to_end"] = {"status": "not_measured", "reason": "skipped in this run"}
        gc.collect()
        if "levels" in settings.parts:
            tick = progress.phase("quality levels", steps=len(LEVELS))
            report["quality_levels"] = measure_levels(config, s["source"], s["effect"], seconds=s["level_seconds"],
                                                      warmup_s=config.bench.warmup_s, when_level=lambda _: tick())
        if settings.load_procs > 0:
            progress.phase("load check")
            report["load_check"] = load_check(config, s["source"], s["effect"], procs=settings.load_procs,
                                              calm_s=LOAD_CALM_S, load_s=LOAD_S, after_s=LOAD_AFTER_S,
                                              warmup_s=config.bench.warmup_s)
        gc.collect()
        report["stages"] = _stages(config, s, progress) if "stages" in settings.parts else []
        gc.collect()
        tick = progress.phase("models", steps=max(1, model_steps))
        report["models"] = models.benchmark_all(cases, s["threads"], s["warm_runs"], when_run=tick)
        report["models_note"] = models_note
    finally:
        progress.close()
        sampler.stop()
    measured_models = [m for m in report["models"] if is_measured(m) and m["xnnpack_partitions"] is not None]
    device["xnnpack"] = any(m["xnnpack_partitions"] > 0 for m in measured_models) if measured_models else None
    device["xnnpack_amx"] = amx.state()  # on an AMX CPU, int8 speed depends on it
    report["thermal"] = sampler.as_dict()
    report["verdict"] = judge(report["end_to_end"], report["stages"], budget_ms=s["budget_ms"],
                              cpu_ms_target=config.bench.cpu_ms_target, rss_mb_target=config.bench.rss_mb_target)
    report["prediction"] = predict_pi4(report, config.bench.pi4_ipc, config.bench.fps, settings.arm_counts,
                                       _manifest_sha256(), pi5_ipc=config.bench.pi5_ipc)
    if settings.arm_counts is not None:
        report["arm_instructions"] = instructions.by_cpu_class()
    report["duration_s"] = round(time.monotonic() - started, 2)
    report["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def _stages(config: Config, s: dict[str, Any], progress: Progress) -> list[dict[str, Any]]:
    n = s["stage_frames"]
    size = tuple(s["size"])
    cfg = config.replace("camera", size=size)
    records, frames = stages.measure_capture(s["source"], cfg, n, progress.phase("stages", steps=n * 5))
    fallback = not frames and s["source"] != "sample"
    if fallback:
        # the camera is missing, but every later stage can still be measured on the bundled sample
        _, frames = stages.measure_capture("sample", cfg, n, progress.tick)
    if not frames:
        reason = "no frames were captured, so nothing downstream could be measured"
        return records + [{"status": "not_measured", "reason": reason, "name": name, "kind": kind}
                          for name, kind in (("perception", "perception"), ("effects", "effect"),
                                             ("encoders", "encoder"), ("display blit", "display"))]
    first_downstream = len(records)
    perception, scenes = stages.measure_perception(cfg, frames, progress.tick)
    records += perception
    records += stages.measure_effects(cfg, frames, scenes, progress.tick)
    records += stages.measure_encoders(cfg, frames, config.bench.fps, progress.tick)
    records += stages.measure_display(cfg, frames, progress.tick)
    if fallback:
        for record in records[first_downstream:]:
            if record["status"] == "measured":
                record["detail"] = "on the bundled sample (the source gave no frames); " + record.get("detail", "")
    return records


def _manifest_sha256() -> str | None:
    """Which model files are installed (to tell whether an ARM counts file still applies)."""
    import hashlib

    try:
        from magicbooth.inference.loader import MANIFEST, MODELS_DIR

        return hashlib.sha256((MODELS_DIR / MANIFEST).read_bytes()).hexdigest()
    except (ImportError, OSError):
        return None
