"""The benchmark's quality parts: each level held for a run, energy where the board can tell, the load check's
arithmetic, and how they read in the summary, the HTML and the schema."""

from __future__ import annotations

import jsonschema
import pytest

from magicbooth.bench import html
from magicbooth.bench.energy import PowerSampler, joules_per_minute
from magicbooth.bench.levels import _Load, _per_second, measure_levels
from magicbooth.bench.schema import schema
from magicbooth.bench.summary import load_check_lines, quality_lines
from magicbooth.core.config import Config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_power_is_averaged_where_the_board_tells_and_not_measured_elsewhere() -> None:
    readings = iter([3.0, 5.0, 4.0, 4.0, 4.0, 4.0])
    sampler = PowerSampler(0.01, read=lambda: next(readings, 4.0))
    sampler.start()
    watts = sampler.stop()
    assert watts is not None and 3.0 <= watts <= 5.0
    assert joules_per_minute(4.0) == 240.0
    none = PowerSampler(0.01, read=lambda: None)
    none.start()
    assert none.stop() is None and joules_per_minute(None) is None


def test_each_level_is_held_for_its_run_and_reported() -> None:
    rows = measure_levels(Config(), "sample", "kaiju", seconds=1.0, warmup_s=0.5, levels=(0, 5))
    assert [r["level"] for r in rows] == [0, 5]
    assert all(r["status"] == "measured" and r["fps"] > 3 and r["cpu_ms_per_frame"] > 0 for r in rows), rows
    assert all(r["power_w"] is None and r["joules_per_recorded_minute"] is None for r in rows)  # no PMIC here
    assert "not measured" in rows[0]["power_source"]
    for row in rows:
        jsonschema.validate(row, {"$ref": "#/$defs/quality_level", "$defs": schema()["$defs"]},
                            cls=jsonschema.Draft202012Validator)


def test_load_check_timeline_counts_whole_seconds_only() -> None:
    frames = [(t / 30, 0 if t < 45 else 1, 30 <= t < 60) for t in range(100)]   # 3.3 s at 30 fps
    timeline = _per_second(frames)
    assert [s["t"] for s in timeline] == [0, 1, 2] and [s["fps"] for s in timeline] == [30, 30, 30]
    assert [s["loaded"] for s in timeline] == [False, True, False] and timeline[1]["level"] == 1


def test_the_load_is_stopped_by_its_own_handles() -> None:
    load = _Load(2)
    load.start()
    pids = [p.pid for p in load._running]
    assert load.on and len(pids) == 2
    load.stop()
    assert not load.on


def test_summary_and_html_say_which_level_and_why() -> None:
    quality = {"governor": "on", "levels_s": {"0": 10.0, "3": 5.0}, "final": 3, "final_name": "light",
               "changes": [{"t": 12.5, "from": 0, "to": 3, "reason": "21.0 fps, loop busy 99%: below 27.0 fps"}]}
    e2e = {"quality": quality, "power_w": 4.2, "joules_per_recorded_minute": 252.0, "power_source": "pmic"}
    lines = quality_lines(e2e)
    assert "level 0 for 10.0 s, 3 for 5.0 s; ended at 3 light" in lines[0]
    assert "12.5 s: 0 -> 3: 21.0 fps" in lines[1] and "252 J per recorded minute" in lines[2]
    check = {"status": "measured", "procs": 3, "calm_s": 10, "load_s": 50, "after_s": 70, "target_fps": 30,
             "fps_before": 30.0, "fps_first_loaded_s": 24.0, "fps_last_loaded_5s": 29.8, "level_at_load_end": 5,
             "lowest_level": 5, "fps_after_last_5s": 30.0, "level_at_end": 0, "quality": quality,
             "timeline": [{"t": 0, "fps": 30, "level": 0, "loaded": False}, {"t": 1, "fps": 24, "level": 0,
                                                                            "loaded": True}]}
    text = "\n".join(load_check_lines(check))
    assert "3 spinning processes" in text and "30/0 24*/0" in text and "at level 5" in text
    jsonschema.validate(check, {"$ref": "#/$defs/load_check", "$defs": schema()["$defs"]},
                        cls=jsonschema.Draft202012Validator)
    page = html._quality({"quality_levels": [], "load_check": check})
    assert "Quality governor under load" in page and "<svg" in page
