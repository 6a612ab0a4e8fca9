"""The quality governor: one level, stepped down when the booth falls behind or runs hot, and back up.

Levels, in the fixed order the governor steps through them (each keeps the ones before it):

====  ==========  ==========================================================================
 0    full        everything as configured
 1    mask/2      the person mask model on every 2nd frame (the newest mask stands in between)
 2    mesh/2      the face mesh on every 2nd frame too (effects follow the face a frame later)
 3    light       the effect's light variant (``Effect.light``; effects without one draw as before)
 4    1 thread    every model on one LiteRT thread, leaving the cores to the frame loop and encoder
 5    half res    the effect drawn at half resolution and scaled up (the recording keeps its size)
====  ==========  ==========================================================================

Analysis on the low-resolution stream is no level of its own: perception uses picamera2's
low-resolution stream whenever the camera gives one, and the mask's edge guide is already half the
frame; a quarter-size guide measured 3.98 -> 3.40 ms per mask on this x86 (the model is the cost).

When it steps, driven by the pipeline's own figures (``note_frame`` once per frame, ``note_wait`` for the
time the loop waited for a camera frame), over the last ``WINDOW_S`` of frames:

* **down** when the frame rate stays below ``(1 - SLACK) × target`` for ``[quality] down_after_s`` while
  the loop is busy (at least ``SLOW_BUSY`` of the time: a camera that delivers fewer frames, with the loop
  waiting for them, is no reason); or when the board reports throttling now or a temperature of
  ``[quality] hot_c`` or more (``Health``), one step every ``THERMAL_STEP_S``, since heat follows slowly;
* **up** after ``[quality] up_after_s`` of headroom: the frame rate within ``UP_SLACK`` of the target, the
  loop busy at most ``UP_BUSY`` of the time, the board not throttled and ``COOL_MARGIN_C`` below ``hot_c``.

Hysteresis: after every change the window starts empty, so the next decision sees only the new level;
a step up that has to be undone within ``PROBATION_S`` doubles the wait before the next try from that
level (up to ``MAX_UP_WAIT_S``). A gap of ``GAP_S`` between frames (a camera reconnecting) is no evidence.

Usage::

    governor = QualityGovernor(config.quality, target_fps=30, health=monitor)
    level = governor.note_frame()      # once per frame: the new Level when it changed, else None
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from magicbooth.core.config import QualityConfig
from magicbooth.perception.quality import PerceptionQuality
from magicbooth.pipeline.health import Health, HealthMonitor

log = logging.getLogger(__name__)

WINDOW_S = 2.0          # the frames the figures are taken over
CHECK_S = 0.5           # how often a decision is made
SLACK = 0.1             # below (1 - SLACK) x target is too slow
UP_SLACK = 0.05         # headroom needs the frame rate within this of the target
SLOW_BUSY = 0.85        # too slow only counts while the loop is this busy (not waiting for the camera)
UP_BUSY = 0.75          # headroom needs the loop idle at least a quarter of the time
GAP_S = 0.5             # a longer gap between frames is the camera, not the booth
THERMAL_STEP_S = 30.0   # one step per this while hot
COOL_MARGIN_C = 5.0     # headroom needs the board this far below hot_c
PROBATION_S = 20.0      # a step up undone within this counts as failed
MAX_UP_WAIT_S = 300.0


@dataclass(frozen=True, slots=True)
class Level:
    """One quality level: what perception and the effect stage do at it."""

    number: int
    name: str
    what: str
    perception: PerceptionQuality = field(default_factory=PerceptionQuality)
    light: bool = False   # the effect's light variant
    half: bool = False    # the effect drawn at half resolution

    def describe(self) -> str:
        return f"level {self.number} ({self.name}: {self.what})"


LEVELS: tuple[Level, ...] = (
    Level(0, "full", "everything as configured"),
    Level(1, "mask/2", "the person mask on every 2nd frame", PerceptionQuality(mask_every=2)),
    Level(2, "mesh/2", "the face mesh on every 2nd frame too", PerceptionQuality(mask_every=2, mesh_every=2)),
    Level(3, "light", "the effect's light variant", PerceptionQuality(mask_every=2, mesh_every=2), light=True),
    Level(4, "1 thread", "every model on one thread", PerceptionQuality(mask_every=2, mesh_every=2, threads=1),
          light=True),
    Level(5, "half res", "the effect drawn at half resolution",
          PerceptionQuality(mask_every=2, mesh_every=2, threads=1), light=True, half=True),
)


@dataclass(frozen=True, slots=True)
class Change:
    """One step: when (the governor's clock), from which level to which, and why."""

    t: float   # seconds since the governor started
    old: int
    new: int
    reason: str


@dataclass
class _Window:
    frames: deque[tuple[float, float]] = field(default_factory=deque)   # (done at, seconds waited before it)
    waited: float = 0.0

    def clear(self) -> None:
        self.frames.clear()
        self.waited = 0.0


class QualityGovernor:
    """Holds the quality level; see the module docstring for when it changes."""

    def __init__(self, config: QualityConfig, target_fps: float, *, clock: Callable[[], float] = time.monotonic,
                 health: Callable[[], Health] | None = None, pinned: int | None = None) -> None:
        self.config = config
        self.target_fps = float(target_fps)
        self.max_level = min(config.max_level, len(LEVELS) - 1)
        self._clock = clock
        self._monitor = HealthMonitor() if health is None and config.governor and pinned is None else None
        self._health: Callable[[], Health] = health or self._monitor or Health
        self._level = LEVELS[0 if pinned is None else pinned]
        self.pinned = pinned is not None or not config.governor
        self.changes: list[Change] = []
        self.when_level: Callable[[Level], None] | None = None
        self._window = _Window()
        self._started = clock()
        self._since = self._started
        self._at: dict[int, float] = {}
        self._next_check = self._started
        self._slow_since: float | None = None
        self._room_since: float | None = None
        self._last_change = float("-inf")
        self._failures = [0] * len(LEVELS)
        self.fps = 0.0
        self.busy = 0.0
        self.last_health = Health()

    # -- state ----------------------------------------------------------------------------------------------------
    @property
    def level(self) -> Level:
        return self._level

    def status(self) -> str:
        """One line for the HUD and the log."""
        mode = "pinned" if self.pinned else "governor"
        return f"quality {self._level.number}/{self.max_level} {self._level.name} ({mode})"

    def seconds_at_levels(self) -> dict[int, float]:
        """Seconds spent at each level since the governor started."""
        spent = dict(self._at)
        spent[self._level.number] = spent.get(self._level.number, 0.0) + self._clock() - self._since
        return {level: round(seconds, 3) for level, seconds in sorted(spent.items())}

    # -- actions --------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start reading the board's health (when the governor decides for itself)."""
        if self._monitor is not None:
            self._monitor.start()

    def stop(self, timeout: float = 2.0) -> None:
        if self._monitor is not None:
            self._monitor.stop(timeout)

    def pin(self, number: int, reason: str = "pinned") -> Level:
        """Hold ``number`` until ``release`` (the benchmark's per-level runs)."""
        self.pinned = True
        self._set(LEVELS[number], reason)
        return self._level

    def release(self) -> None:
        """Let the governor decide again (from the current level)."""
        self.pinned = not self.config.governor
        self._window.clear()

    def note_wait(self, seconds: float) -> None:
        """The loop waited this long for a camera frame (idle time, not work)."""
        self._window.waited += max(0.0, seconds)

    def note_frame(self) -> Level | None:
        """One frame done; returns the new level when this frame changed it."""
        now = self._clock()
        frames = self._window.frames
        frames.append((now, self._window.waited))
        self._window.waited = 0.0
        while frames and frames[0][0] < now - WINDOW_S:
            frames.popleft()
        if self.pinned or now < self._next_check:
            return None
        self._next_check = now + CHECK_S
        return self._decide(now)

    # -- deciding -------------------------------------------------------------------------------------------------
    def _measure(self, now: float) -> bool:
        """Frame rate and busy share over the window; False when the window is no evidence."""
        frames = self._window.frames
        if len(frames) < 3 or now - frames[0][0] < 0.75 * WINDOW_S:
            return False
        times = [t for t, _ in frames]
        if max(b - a for a, b in itertools.pairwise(times)) > GAP_S:
            return False
        span = times[-1] - times[0]
        self.fps = (len(times) - 1) / span
        waited = sum(w for _, w in list(frames)[1:])
        self.busy = max(0.0, min(1.0, 1.0 - waited / span))
        return True

    def _decide(self, now: float) -> Level | None:
        if not self._measure(now):
            self._slow_since = self._room_since = None
            return None
        health = self._health()
        self.last_health = health
        hot_c = self.config.hot_c
        hot = health.throttled_now or (health.temperature_c is not None and health.temperature_c >= hot_c)
        cool = not health.throttled_now and (health.temperature_c is None
                                             or health.temperature_c < hot_c - COOL_MARGIN_C)
        slow = self.fps < (1 - SLACK) * self.target_fps and self.busy >= SLOW_BUSY
        room = self.fps >= (1 - UP_SLACK) * self.target_fps and self.busy <= UP_BUSY and cool
        self._slow_since = (self._slow_since or now) if slow else None
        self._room_since = (self._room_since or now) if room else None
        number = self._level.number
        figures = f"{self.fps:.1f} fps, loop busy {self.busy:.0%}"
        if number < self.max_level and self._slow_since is not None \
                and now - self._slow_since >= self.config.down_after_s:
            return self._step(number + 1, now, f"{figures}: below {(1 - SLACK) * self.target_fps:.1f} fps")
        if number < self.max_level and hot and now - self._last_change >= THERMAL_STEP_S:
            return self._step(number + 1, now, f"board {health.describe()}: at or over {hot_c:g} °C or throttled")
        if number > 0 and self._room_since is not None and now - self._room_since >= self._up_wait(number):
            return self._step(number - 1, now, f"headroom: {figures}, board {health.describe()}")
        return None

    def _up_wait(self, number: int) -> float:
        return min(MAX_UP_WAIT_S, self.config.up_after_s * 2 ** self._failures[number])

    def _step(self, number: int, now: float, reason: str) -> Level:
        old = self._level.number
        last = self.changes[-1] if self.changes else None
        ago = now - self._started - last.t if last is not None else float("inf")
        if number > old and last is not None and last.new == old and last.old == number and ago <= PROBATION_S:
            self._failures[number] += 1   # going up from ``number`` did not hold: wait longer next time
            reason += f"; the step up {ago:.0f} s ago did not hold, next try after " \
                      f"{self._up_wait(number):.0f} s of headroom"
        self._set(LEVELS[number], reason)
        return self._level

    def _set(self, level: Level, reason: str) -> None:
        now = self._clock()
        old = self._level
        if level.number == old.number:
            return
        self._at[old.number] = self._at.get(old.number, 0.0) + now - self._since
        self._since = self._last_change = now
        self._level = level
        self.changes.append(Change(round(now - self._started, 3), old.number, level.number, reason))
        self._window.clear()
        self._slow_since = self._room_since = None
        log.info("quality %s -> %s: %s", old.number, level.describe(), reason)
        if self.when_level is not None:
            self.when_level(level)
