"""``magicbooth bench`` run for real: --quick on the sample, its JSON, HTML and --compare.

The quick run takes about 15-30 s on two shared cores; it runs once per module.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from magicbooth.bench.schema import schema
from magicbooth.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    json_path, html_path = out / "quick.json", out / "quick.html"
    code = main(["bench", "--quick", "--source", "sample", "--json", str(json_path), "--html", str(html_path),
                 "--no-progress"])
    return {"code": code, "json": json_path, "html": html_path, "report": json.loads(json_path.read_text())}


def test_quick_run_on_the_sample_completes(quick: dict) -> None:
    assert quick["code"] == 0
    report = quick["report"]
    assert report["settings"]["quick"] is True and report["settings"]["source"] == "sample"
    assert report["duration_s"] < 60
    e2e = report["end_to_end"]
    assert e2e["status"] == "measured"
    for key in ("cpu_ms_per_frame", "fps", "dropped_frames", "peak_rss_mb"):
        assert key in e2e
    assert e2e["fps"] > 5 and e2e["cpu_ms_per_frame"] > 0 and e2e["peak_rss_mb"] > 20
    assert e2e["clip_bytes"] > 10_000  # it really recorded, the whole measured run
    assert e2e["clip_frames"] >= e2e["frames"] - e2e["dropped_recording"] - 2
    assert e2e["frames"] == len(e2e["latency_samples_ms"])
    by_thread = e2e["cpu_ms_per_frame_by_thread"]
    assert "MainThread" in by_thread and "capture" in by_thread
    assert 0.5 * e2e["cpu_ms_per_frame"] < sum(by_thread.values()) < 1.1 * e2e["cpu_ms_per_frame"] + 0.5
    assert report["verdict"]["status"] in ("pass", "fail", "incomplete")
    assert report["verdict"]["bottleneck"]["stage"]
    # the booth's own screens were drawn over the live picture, and their UI time measured
    assert e2e["booth_screen"] == "1280x720" and "booth screen" in e2e["stage_ms"]
    assert set(e2e["booth_ui_ms_by_state"]) >= {"attract", "countdown", "recording"}
    assert 0 < e2e["booth_ui_cpu_ms"]["median"] < e2e["stage_ms"]["booth screen"]["median"] + 1
    names = {s["name"]: s for s in report["stages"]}
    assert names["capture sample"]["status"] == "measured" and names["capture sample"]["fps"] > 0
    assert names["encode libx264"]["status"] == "measured"
    assert names["display blit"]["status"] == "measured"
    models = [m for m in report["models"] if m["status"] == "measured"]
    assert {"float", "int8"} <= {m["variant"] for m in models}
    picked = [m for m in models if m.get("picked")]  # one int8 graph per model is this CPU's
    assert sorted(m["name"] for m in picked) == sorted({m["name"] for m in models})
    assert report["device"]["cpu_class"] in ("arm", "arm_dotprod", "x86_64")
    assert all(m["xnnpack_partitions"] >= 0 and m["warm_ms"]["n"] == report["settings"]["warm_runs"]
               for m in models)
    from magicbooth.inference.amx import has_amx
    assert report["device"]["xnnpack_amx"] == ("denied" if has_amx() else "absent")


def test_quick_json_validates_against_the_shipped_schema(quick: dict) -> None:
    jsonschema.validate(quick["report"], schema(), cls=jsonschema.Draft202012Validator)
    assert quick["report"]["schema"] == "magicbooth.bench" and quick["report"]["schema_version"] == 1


def test_missing_camera_and_hardware_encoder_are_not_measured_never_zero(quick: dict) -> None:
    names = {s["name"]: s for s in quick["report"]["stages"]}
    camera = names["capture camera"]
    assert camera["status"] == "not_measured" and camera["reason"]
    assert "ms" not in camera and "fps" not in camera
    if Path("/dev/video11").exists():
        pytest.skip("this machine has a V4L2 hardware encoder")
    hw = names["encode h264_v4l2m2m"]
    assert hw["status"] == "not_measured" and "video11" in hw["reason"] and "ms" not in hw
    if quick["report"]["device"]["temperature_c"] is None:
        assert quick["report"]["thermal"]["temperature_source"] is None


def test_html_has_the_charts_and_no_network_references(quick: dict) -> None:
    page = quick["html"].read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('class="chart histogram"') >= 3  # latency, loop, per-stage and per-model histograms
    assert 'class="chart bars"' in page
    assert page.count('class="chart line"') == 2  # temperature and clock over time
    assert "Capture-to-display latency" in page and "Temperature" in page and "CPU clock" in page
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|<script|<link|<img|@import|url\(", page, re.I)
    assert "not measured" in page


def test_compare_and_a_missing_camera(quick: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run with no camera compares against the sample run: models get deltas, the live run 'only before'."""
    out = tmp_path / "nocam.json"
    code = main(["bench", "--quick", "--source", "picamera2", "--json", str(out), "--compare", str(quick["json"]),
                 "--no-progress"])
    text = capsys.readouterr().out
    assert code == 0
    report = json.loads(out.read_text())
    jsonschema.validate(report, schema(), cls=jsonschema.Draft202012Validator)
    assert report["end_to_end"]["status"] == "not_measured" and "picamera2" in report["end_to_end"]["reason"]
    assert report["verdict"]["status"] == "not_measured"
    assert all(t["value"] is None for t in report["verdict"]["targets"])
    capture = [s for s in report["stages"] if s["kind"] == "capture"]
    assert capture and all(s["status"] == "not_measured" for s in capture)
    encode = next(s for s in report["stages"] if s["name"] == "encode libx264")
    assert encode["status"] == "measured" and encode["detail"].startswith("on the bundled sample")
    rows = {r["metric"]: r for r in report["compare"]["rows"]}
    assert rows["end to end fps"]["change"] == "only before" and rows["end to end fps"]["delta"] is None
    model_rows = [r for r in rows.values() if r["metric"].startswith("model ") and r["delta"] is not None]
    assert model_rows and all(isinstance(r["delta_percent"], float) for r in model_rows)
    assert "compared with" in text and "VERDICT: NOT MEASURED" in text


def test_bad_inputs_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--compare", str(tmp_path / "nope.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.json" in err[0] and "no such report" in err[0]
    assert main(["bench", "--quick", "--source", "sample", "--effect", "no-such-effect", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "unknown effect" in err[-1]
    with pytest.raises(SystemExit):
        main(["bench", "--threads", "0,x"])
