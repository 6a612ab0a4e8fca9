"""CPU time, per-core load and peak memory over a measured window.

CPU time per frame (process user + system time, all threads, divided by
frames) is the figure that transfers between machines: wall-clock fps on a
shared or faster box hides how much of a small board's CPU a frame needs.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROC_STAT = Path("/proc/stat")
SELF_STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def core_times(stat: Path = PROC_STAT) -> list[tuple[int, int]]:
    """(busy, total) jiffies for each core from /proc/stat (system-wide, every process)."""
    cores = []
    try:
        lines = stat.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            numbers = [int(v) for v in values[:8]]
            idle = numbers[3] + numbers[4]  # idle + iowait
            cores.append((sum(numbers) - idle, sum(numbers)))
    return cores


def process_cpu_s() -> float:
    """User + system CPU seconds of this process so far, across all its threads."""
    times = os.times()
    return times.user + times.system


def thread_cpu_s(task_dir: Path = Path("/proc/self/task")) -> dict[int, tuple[str, float]]:
    """CPU seconds of each live thread of this process: tid -> (name, user + system).

    Python threads are named from ``threading`` (their native id); threads
    started by libraries (XNNPACK's pool, libx264, FFmpeg) keep the name the
    kernel has for them.
    """
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[str, float]] = {}
    try:
        tasks = list(task_dir.iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
            comm = (task / "comm").read_text().strip()
        except OSError:
            continue  # the thread ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        tid = int(task.name)
        out[tid] = (names.get(tid, f"native: {comm}"), (int(fields[11]) + int(fields[12])) / tick)
    return out


def cpu_by_thread(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]],
                  frames: int) -> dict[str, float]:
    """CPU ms per frame, by thread name (threads of one name summed), largest first."""
    totals: dict[str, float] = {}
    for tid, (name, seconds) in after.items():
        spent = seconds - before.get(tid, (name, 0.0))[1]
        if spent > 0:
            totals[name] = totals.get(name, 0.0) + spent
    return {name: round(1000.0 * s / frames, 3) for name, s in sorted(totals.items(), key=lambda kv: -kv[1])}


def peak_rss_mb(status: Path = SELF_STATUS) -> float | None:
    """This process's peak resident set (VmHWM) in MB."""
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return None


def reset_peak_rss(clear_refs: Path = CLEAR_REFS) -> bool:
    """Restart VmHWM from the current RSS (Linux ≥ 4.0), so a window's peak is its own."""
    try:
        clear_refs.write_text("5")
        return True
    except OSError:
        return False


@dataclass
class ResourceWindow:
    """CPU and memory between ``begin()`` and ``end()``.

    Usage::

        window = ResourceWindow()
        window.begin()
        ...                                  # the work being measured, 300 frames of it
        usage = window.end(frames=300)       # wall_s, process_cpu_s, cpu_ms_per_frame, per core and thread
    """

    peak_reset: bool = False
    _wall: float = 0.0
    _cpu: float = 0.0
    _cores: list[tuple[int, int]] = field(default_factory=list)
    _threads: dict[int, tuple[str, float]] = field(default_factory=dict)

    def begin(self) -> None:
        self.peak_reset = reset_peak_rss()
        self._cores = core_times()
        self._threads = thread_cpu_s()
        self._cpu = process_cpu_s()
        self._wall = time.monotonic()

    def end(self, frames: int) -> dict[str, Any]:
        wall = time.monotonic() - self._wall
        cpu = process_cpu_s() - self._cpu
        threads = thread_cpu_s()
        cores_now = core_times()
        per_core = []
        for (busy0, total0), (busy1, total1) in zip(self._cores, cores_now, strict=False):
            span = total1 - total0
            per_core.append(round(100.0 * (busy1 - busy0) / span, 1) if span > 0 else None)
        return {
            "wall_s": round(wall, 3),
            "process_cpu_s": round(cpu, 3),
            "cpu_ms_per_frame": round(1000.0 * cpu / frames, 3) if frames else None,
            "process_cpu_percent": round(100.0 * cpu / wall, 1) if wall > 0 else None,
            "cpu_percent_per_core": per_core,
            "cpu_ms_per_frame_by_thread": cpu_by_thread(self._threads, threads, frames) if frames else {},
            "peak_rss_mb": _round(peak_rss_mb()),
            "peak_rss_scope": "this window" if self.peak_reset else "whole process (VmHWM could not be reset)",
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)
