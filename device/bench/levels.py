"""The booth at each quality level, and the governor under a known load.

``measure_levels`` holds each level of ``pipeline.governor.LEVELS`` for one end-to-end run (the booth's
own pipeline, screens and recorder): frame rate, CPU per frame and, where the board can tell, power and
joules per recorded minute. ``load_check`` lets the governor decide while ``procs`` processes each keep a
core 100 % busy for the middle part of the run, and records, second by second, the frame rate and the
level: the level should step down and the frame rate come back while the load lasts, and the level step
back up after it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from magicbooth.bench.endtoend import EndToEnd
from magicbooth.bench.measures import Record, is_measured, measured, not_measured
from magicbooth.core.config import Config
from magicbooth.pipeline.flow import Pipeline
from magicbooth.pipeline.governor import LEVELS

SPIN = "while True: pass"   # the known work: one core, 100 %, until stopped


def measure_levels(config: Config, source: str, effect: str | None, *, seconds: float, warmup_s: float,
                   when_level: Callable[[int], None] = lambda _: None,
                   levels: tuple[int, ...] | None = None) -> list[Record]:
    """One end-to-end run per quality level (all, or ``levels``), the level held throughout."""
    rows = []
    for level in (LEVELS if levels is None else tuple(LEVELS[n] for n in levels)):
        when_level(level.number)
        run = EndToEnd(config, source, effect=effect, seconds=seconds, warmup_s=warmup_s, level=level.number).run()
        facts = {"level": level.number, "name": level.name, "what": level.what}
        if not is_measured(run):
            rows.append(not_measured(run["reason"], **facts))
            continue
        rows.append(measured(**facts, fps=run["fps"], target_fps=run["target_fps"], frames=run["frames"],
                             dropped_frames=run["dropped_frames"], cpu_ms_per_frame=run["cpu_ms_per_frame"],
                             process_cpu_percent=run["process_cpu_percent"], loop_ms=run["loop_ms"],
                             worker_ms=run["worker_ms"], power_w=run["power_w"],
                             joules_per_recorded_minute=run["joules_per_recorded_minute"],
                             power_source=run["power_source"], effect=run["effect"]))
    return rows


class _Load:
    """``procs`` spinning processes, started and stopped by this object only (by their own handles)."""

    def __init__(self, procs: int) -> None:
        self.procs = procs
        self._running: list[subprocess.Popen[bytes]] = []

    @property
    def on(self) -> bool:
        return bool(self._running)

    def start(self) -> None:
        self._running = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(self.procs)]

    def stop(self) -> None:
        for proc in self._running:
            proc.terminate()
        for proc in self._running:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._running = []


def load_check(config: Config, source: str, effect: str | None, *, procs: int, calm_s: float, load_s: float,
               after_s: float, warmup_s: float) -> Record:
    """The governor deciding while ``procs`` spinning processes load the CPU for ``load_s`` in the middle."""
    load = _Load(procs)
    frames: list[tuple[float, int, bool]] = []   # (seconds into the window, level, loaded)

    def when_window(pipeline: Pipeline, t: float) -> None:
        if not load.on and calm_s <= t < calm_s + load_s:
            load.start()
        elif load.on and t >= calm_s + load_s:
            load.stop()
        assert pipeline.governor is not None
        frames.append((t, pipeline.governor.level.number, load.on))

    try:
        run = EndToEnd(config, source, effect=effect, seconds=calm_s + load_s + after_s, warmup_s=warmup_s,
                       when_window=when_window).run()
    finally:
        load.stop()
    if not is_measured(run):
        return not_measured(run["reason"], procs=procs)
    timeline = _per_second(frames)
    loaded = [s for s in timeline if s["loaded"]]
    tail = loaded[-5:]
    summary: dict[str, Any] = {
        "fps_before": _mean(s["fps"] for s in timeline if s["t"] < calm_s),
        "fps_first_loaded_s": _mean(s["fps"] for s in loaded[:3]),
        "fps_last_loaded_5s": _mean(s["fps"] for s in tail),
        "level_at_load_end": tail[-1]["level"] if tail else None,
        "lowest_level": max((s["level"] for s in timeline), default=None),
        "fps_after_last_5s": _mean(s["fps"] for s in timeline[-5:]),
        "level_at_end": timeline[-1]["level"] if timeline else None,
    }
    return measured(procs=procs, calm_s=calm_s, load_s=load_s, after_s=after_s, load="each process spins one "
                    f"core at 100 % ({SPIN!r})", effect=run["effect"], target_fps=run["target_fps"],
                    quality=run["quality"], timeline=timeline, **summary)


def _per_second(frames: list[tuple[float, int, bool]]) -> list[dict[str, Any]]:
    seconds: dict[int, list[tuple[float, int, bool]]] = {}
    for t, level, loaded in frames:
        seconds.setdefault(int(t), []).append((t, level, loaded))
    whole = sorted(seconds.items())[:-1]   # the last second is cut short by the end of the run
    return [{"t": second, "fps": len(items), "level": items[-1][1], "loaded": any(x[2] for x in items)}
            for second, items in whole]


def _mean(values: Any) -> float | None:
    items = list(values)
    return round(sum(items) / len(items), 2) if items else None
