"""One frame path: the booth, headless, preview, record, render and the benchmark all build it in one place.

The benchmark must measure what the booth runs, so the end-to-end run is checked
against the booth's own launch: the same builder function, the same kinds of stage.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from _modes_support import PressThenTerm, Systemd

from magicbooth.bench.endtoend import EndToEnd
from magicbooth.core.config import parse_config
from magicbooth.modes.launch import run_mode
from magicbooth.pipeline import builder
from magicbooth.pipeline.flow import Pipeline
from magicbooth.pipeline.sinks import RecordSink

PACKAGE = Path(builder.__file__).resolve().parents[1]


class Spy:
    """Wraps the real builder and keeps every pipeline it built."""

    def __init__(self) -> None:
        self.built: list[Pipeline] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Pipeline:
        pipeline = builder.build_pipeline(*args, **kwargs)
        self.built.append(pipeline)
        return pipeline


def test_booth_and_bench_run_the_same_builder_and_stages(tmp_path: Path, mock_pins: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    monkeypatch.setattr("magicbooth.modes.launch.build_pipeline", spy)
    monkeypatch.setattr("magicbooth.bench.endtoend.build_pipeline", spy)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    text = (f'[camera]\nsource = "sample"\nsize = [320, 240]\n[storage]\nclips_dir = "{tmp_path}/clips"\n'
            '[display]\nmode = "window"\n[effects]\ncarousel = ["kaiju", "none"]\ndefault = "kaiju"\n'
            "[booth]\ncountdown_s = 0\nreview = false\n[gpio]\nbounce_s = 0.0\n")
    path = tmp_path / "magicbooth.toml"
    path.write_text(text)
    systemd = Systemd(tmp_path)
    actor = PressThenTerm(mock_pins, (1.0, 1.0, 1.0))
    try:
        assert run_mode(str(path), "booth", notifier=systemd.notifier()) == 0
    finally:
        actor.finished()
        systemd.close()
    bench = EndToEnd(parse_config(text), "sample", effect="kaiju", seconds=0.5, warmup_s=0.5).run()
    assert bench["status"] == "measured", bench
    booth, measured = spy.built
    assert [type(s) for s in booth.stages] == [type(s) for s in measured.stages]
    assert [s.name for s in booth.stages] == ["perception", "effect"]
    assert any(isinstance(s, RecordSink) for s in booth.sinks) and any(isinstance(s, RecordSink)
                                                                      for s in measured.sinks)
    assert booth.carousel.name == measured.carousel.name == "kaiju"
    assert set(bench["worker_ms"]) >= {"model worker landmarks", "model worker segment"}


def test_only_the_builder_constructs_a_pipeline() -> None:
    """No mode wires stages of its own: ``Pipeline(...)`` appears in pipeline/builder.py and nowhere else."""
    makers = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Pipeline":
                makers.append(path.relative_to(PACKAGE).as_posix())
    assert makers == ["pipeline/builder.py"]
