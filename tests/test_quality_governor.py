"""The quality governor's decisions, on a simulated booth with a fake clock (deterministic, no sleeping).

``Booth`` below stands in for the frame loop: a camera at 30 fps, and per quality level a known cost per
frame (milliseconds of work); extra load adds to it. Each simulated frame advances the clock by
``max(cost, camera interval)`` and tells the governor how long the loop waited for the camera, exactly
as ``Pipeline.next_frame``/``process`` do.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest

from magicbooth.core.config import Config, QualityConfig
from magicbooth.pipeline.governor import LEVELS, PROBATION_S, THERMAL_STEP_S, QualityGovernor
from magicbooth.pipeline.health import Health

CAMERA_FPS = 30.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Booth:
    """A simulated frame loop: ``costs[level]`` ms of work per frame plus ``load`` ms from elsewhere."""

    def __init__(self, costs: Sequence[float], config: QualityConfig | None = None, *,
                 camera_fps: float = CAMERA_FPS, health: Health | None = None) -> None:
        self.costs = list(costs)
        self.load = 0.0
        self.camera_fps = camera_fps
        self.health = health or Health()
        self.clock = Clock()
        self.governor = QualityGovernor(config or QualityConfig(), CAMERA_FPS, clock=self.clock,
                                        health=lambda: self.health)
        self.fps_log: list[tuple[float, int, float]] = []   # (t, level, fps of that frame)

    def run(self, seconds: float) -> None:
        end = self.clock.now + seconds
        interval = 1.0 / self.camera_fps
        while self.clock.now < end:
            work = (self.costs[self.governor.level.number] + self.load) / 1000.0
            waited = max(0.0, interval - work)
            self.clock.now += waited
            self.governor.note_wait(waited)
            self.clock.now += work
            self.governor.note_frame()
            self.fps_log.append((self.clock.now, self.governor.level.number, 1.0 / max(work, interval)))

    def fps_over(self, seconds: float) -> float:
        recent = [fps for t, _, fps in self.fps_log if t >= self.clock.now - seconds]
        return len(recent) / seconds


COSTS = [22.0, 19.0, 18.0, 13.0, 11.0, 8.0]   # ms per frame at each level, for a target of 33.3 ms


def test_load_steps_quality_down_until_the_frame_rate_recovers_then_holds() -> None:
    booth = Booth(COSTS)
    booth.run(20)
    assert booth.governor.level.number == 0 and booth.fps_over(5) == pytest.approx(30, abs=0.5)
    booth.load = 20.0   # a known amount of other work per frame: level 0 now takes 42 ms
    booth.run(30)
    level = booth.governor.level.number
    # Levels 0-2 cost 42, 39, 38 ms (below 27 fps); level 3 costs 33 ms, which holds 30 fps.
    assert level == 3, booth.governor.changes
    assert [c.new for c in booth.governor.changes] == [1, 2, 3]
    assert booth.fps_over(5) >= 0.9 * CAMERA_FPS
    booth.run(60)
    assert booth.governor.level.number == 3   # no headroom at level 3 (busy 99 %): it stays


def test_headroom_steps_back_up_level_by_level_with_the_configured_wait() -> None:
    booth = Booth(COSTS)
    booth.load = 20.0
    booth.run(30)
    assert booth.governor.level.number == 3
    booth.load = 0.0
    booth.run(9)
    assert booth.governor.level.number == 3   # not before [quality] up_after_s = 10 s of headroom
    booth.run(60)
    assert booth.governor.level.number == 0
    ups = [c for c in booth.governor.changes if c.new < c.old]
    assert [c.new for c in ups] == [2, 1, 0]
    assert all(later.t - earlier.t >= 10 for earlier, later in itertools.pairwise(ups))
    assert "headroom" in ups[0].reason


def test_hysteresis_a_level_that_cannot_hold_is_retried_ever_more_rarely() -> None:
    # Level 1 is just too slow (34 ms), level 2 has headroom (24 ms: loop busy 72 %): the governor keeps trying
    # to go up, and each failed try doubles the wait before the next one.
    booth = Booth([40.0, 38.0, 24.0, 20.0, 18.0, 15.0])
    booth.run(600)
    changes = booth.governor.changes
    tries = [c for c in changes if c.old == 2 and c.new == 1]
    undone = [c for c in changes if c.old == 1 and c.new == 2 and "did not hold" in c.reason]
    assert len(tries) >= 3 and len(undone) >= 2
    gaps = [b.t - a.t for a, b in itertools.pairwise(tries)]
    assert all(later > earlier * 1.5 for earlier, later in itertools.pairwise(gaps)), gaps
    assert len(changes) <= 16   # 10 minutes, no oscillation
    assert booth.governor.level.number in (1, 2)
    spent = booth.governor.seconds_at_levels()
    assert spent[2] > 0.8 * sum(spent.values())   # mostly at the level that holds


def test_a_slow_camera_is_no_reason_to_lower_quality() -> None:
    booth = Booth(COSTS, camera_fps=15.0)   # half the target, but the loop waits for every frame
    booth.run(60)
    assert booth.governor.changes == []
    assert booth.governor.fps == pytest.approx(15, abs=0.5) and booth.governor.busy < 0.5


def test_heat_steps_down_slowly_and_cooling_brings_it_back() -> None:
    booth = Booth(COSTS, health=Health(temperature_c=77.0, throttled=0x0))
    booth.run(THERMAL_STEP_S * 2 + 5)
    assert booth.governor.level.number == 3   # immediately, then once per THERMAL_STEP_S
    assert "77.0 °C" in booth.governor.changes[0].reason
    booth.health = Health(temperature_c=72.0, throttled=0x0)   # under hot_c but within the cool margin
    booth.run(60)
    assert booth.governor.level.number == 3
    booth.health = Health(temperature_c=65.0, throttled=0x50000)   # cool; throttling only in the past
    booth.run(60)
    assert booth.governor.level.number == 0


def test_throttling_now_counts_as_hot() -> None:
    booth = Booth(COSTS, health=Health(temperature_c=60.0, throttled=0x4))
    booth.run(5)
    assert booth.governor.level.number == 1 and "throttled=0x4" in booth.governor.changes[0].reason


def test_a_gap_in_the_frames_is_no_evidence() -> None:
    booth = Booth(COSTS)
    booth.run(5)
    booth.load = 30.0
    booth.run(1.5)
    booth.clock.now += 3.0          # the camera was away (reconnecting)
    booth.run(1.0)
    assert booth.governor.changes == []


def test_a_step_up_undone_later_than_probation_is_no_failure() -> None:
    booth = Booth(COSTS)
    booth.load = 20.0
    booth.run(30)
    booth.load = 0.0
    booth.run(13)   # the window fills (1.5 s), then 10 s of headroom
    assert booth.governor.level.number == 2
    booth.load = 8.0    # level 2 still holds 30 fps (26 ms) but has no headroom (busy 78 %): it stays
    booth.run(PROBATION_S + 1)
    assert booth.governor.level.number == 2
    booth.load = 20.0
    booth.run(10)
    assert booth.governor.level.number == 3
    assert not any("did not hold" in c.reason for c in booth.governor.changes)


def test_governor_off_or_max_level_are_honoured() -> None:
    off = Booth(COSTS, Config().replace("quality", governor=False).quality)
    off.load = 30.0
    off.run(30)
    assert off.governor.changes == [] and off.governor.pinned
    capped = Booth(COSTS, Config().replace("quality", max_level=1).quality)
    capped.load = 30.0
    capped.run(30)
    assert capped.governor.level.number == 1


def test_levels_are_cumulative_and_documented() -> None:
    assert [level.number for level in LEVELS] == list(range(6))
    for before, after in itertools.pairwise(LEVELS):
        assert after.perception.mask_every >= before.perception.mask_every
        assert after.perception.mesh_every >= before.perception.mesh_every
        assert after.light >= before.light and after.half >= before.half
    assert LEVELS[-1].half and LEVELS[3].light and LEVELS[4].perception.threads == 1
