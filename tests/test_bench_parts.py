"""The benchmark's parts on their own: statistics, thermal readers, device facts, verdict, compare, charts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from magicbooth.bench import compare, device_info, svg, thermal, verdict
from magicbooth.bench.measures import measured, not_measured, percentile, summarize
from magicbooth.bench.resources import ResourceWindow, core_times, peak_rss_mb
from magicbooth.bench.schema import schema
from magicbooth.core.errors import BenchError


def test_summarize_matches_hand_computed_statistics() -> None:
    stats = summarize([4.0, 1.0, 3.0, 2.0, 5.0])
    assert stats["n"] == 5 and stats["median"] == 3.0 and stats["mean"] == 3.0
    assert stats["min"] == 1.0 and stats["max"] == 5.0
    assert stats["stddev"] == pytest.approx(1.5811, abs=1e-4)  # sample standard deviation
    assert stats["p90"] == pytest.approx(4.6)
    assert percentile([10.0, 20.0], 99) == pytest.approx(19.9)
    with pytest.raises(ValueError):
        summarize([])


def test_throttled_bits_decode_now_and_since_boot() -> None:
    flags = thermal.decode_throttled(0x50005)
    assert flags["raw"] == "0x50005"
    assert flags["under_voltage"] and flags["throttled"] and not flags["arm_frequency_capped"]
    assert flags["under_voltage_occurred"] and flags["throttling_occurred"]
    assert not flags["soft_temperature_limit_occurred"]
    assert not any(v for k, v in thermal.decode_throttled(0).items() if k not in ("raw", "source"))


def test_sysfs_thermal_zone_prefers_the_cpu_zone(tmp_path: Path) -> None:
    for name, kind, milli in (("thermal_zone0", "acpitz", "30000"), ("thermal_zone1", "cpu-thermal", "61234")):
        zone = tmp_path / name
        zone.mkdir()
        (zone / "type").write_text(kind + "\n")
        (zone / "temp").write_text(milli + "\n")
    if thermal.vcgencmd("measure_temp") is not None:
        pytest.skip("vcgencmd is present: it takes precedence over sysfs")
    temp, where = thermal.read_temperature(tmp_path)
    assert temp == pytest.approx(61.234) and "cpu-thermal" in where
    assert thermal.read_temperature(tmp_path / "none") is None


def test_clock_falls_back_to_cpufreq_then_cpuinfo(tmp_path: Path) -> None:
    if thermal.vcgencmd("measure_clock", "arm") is not None:
        pytest.skip("vcgencmd is present: it takes precedence")
    freq = tmp_path / "scaling_cur_freq"
    freq.write_text("1500000\n")
    assert thermal.read_clock_mhz(freq, tmp_path / "x") == (1500.0, "cpufreq")
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\ncpu MHz\t\t: 2600.000\n")
    assert thermal.read_clock_mhz(tmp_path / "missing", info) == (2600.0, "cpuinfo")
    assert thermal.read_clock_mhz(tmp_path / "missing", tmp_path / "missing") is None


def test_sampler_records_phases_and_stops() -> None:
    sampler = thermal.ThermalSampler(0.05)
    sampler.start()
    sampler.phase = "work"
    sampler.stopping.wait(0.2)
    sampler.stop()
    data = sampler.as_dict()
    assert len(data["samples"]) >= 2 and data["samples"][-1]["phase"] == "work"
    assert all(set(s) == {"t", "phase", "temperature_c", "clock_mhz", "throttled"} for s in data["samples"])


def test_cpu_name_reads_arm_core_types(tmp_path: Path) -> None:
    pi4 = tmp_path / "cpuinfo"
    pi4.write_text("processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n"
                   "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n")
    assert device_info.cpu_name(pi4) == "Cortex-A72"
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nmodel name\t: Some CPU @ 2.6GHz\n")
    assert device_info.cpu_name(x86) == "Some CPU @ 2.6GHz"
    info = device_info.collect()
    assert info["cores"] >= 1 and info["python"] and info["machine"]


def test_resource_window_counts_cpu_of_this_process() -> None:
    window = ResourceWindow()
    window.begin()
    total = 0
    for i in range(300_000):  # about 20 ms of CPU
        total += i * i
    usage = window.end(frames=10)
    assert total > 0
    assert usage["process_cpu_s"] > 0 and usage["cpu_ms_per_frame"] == pytest.approx(
        1000 * usage["process_cpu_s"] / 10, rel=0.01)
    assert len(usage["cpu_percent_per_core"]) == len(core_times())
    assert peak_rss_mb() is None or usage["peak_rss_mb"] > 10


def _e2e(**over: object) -> dict:
    base = measured(fps=30.0, target_fps=30.0, dropped_frames=0, cpu_ms_per_frame=12.0, peak_rss_mb=200.0,
                    stage_ms={"effect x": summarize([5.0, 6.0, 7.0])}, worker_ms={"model worker segment":
                                                                                summarize([20.0, 25.0, 40.0])},
                    encoder="libx264", missing=[])
    base.update(over)
    return base


def test_verdict_names_the_slowest_stage_and_fails_a_missed_target() -> None:
    stages = [measured(name="encode libx264", kind="encoder", ms=summarize([3.0, 4.0]))]
    ok = verdict.judge(_e2e(), stages, budget_ms=33.3, cpu_ms_target=20, rss_mb_target=350)
    assert ok["status"] == "fail"  # segment worker p90 37 ms > 33.3
    assert ok["bottleneck"]["stage"] == "model worker segment"
    fast = _e2e(worker_ms={"model worker segment": summarize([10.0, 12.0])})
    good = verdict.judge(fast, stages, budget_ms=33.3, cpu_ms_target=20, rss_mb_target=350)
    assert good["status"] == "pass" and good["bottleneck"]["stage"] == "model worker segment"
    partial = verdict.judge(_e2e(worker_ms={}, missing=["perception: no models"]), stages, budget_ms=33.3,
                            cpu_ms_target=20, rss_mb_target=350)
    assert partial["status"] == "incomplete"  # never a pass without the models
    drops = verdict.judge(_e2e(worker_ms={}, dropped_frames=2), stages, budget_ms=33.3, cpu_ms_target=20,
                          rss_mb_target=350)
    assert drops["status"] == "fail" and "dropped" in drops["summary"] and drops["contention"] is None
    busy = verdict.judge(_e2e(worker_ms={}, dropped_frames=2, cpu_percent_per_core=[99.0, 98.0],
                              process_cpu_percent=50.0), stages, budget_ms=33.3, cpu_ms_target=20, rss_mb_target=350)
    assert busy["contention"] == {"cores": 2, "busy_cores": 1.97, "this_process_cores": 0.5, "other_cores": 1.47}
    assert "other processes kept 1.5 of 2 cores busy" in busy["summary"]


def test_verdict_without_a_live_run_is_not_measured_not_a_pass() -> None:
    result = verdict.judge(not_measured("no camera"), [measured(name="encode libx264", kind="encoder",
                                                                ms=summarize([3.0]))],
                           budget_ms=33.3, cpu_ms_target=20, rss_mb_target=350)
    assert result["status"] == "not_measured" and result["summary"] == "no camera"
    assert all(t["status"] == "not_measured" and t["value"] is None for t in result["targets"])
    assert result["bottleneck"]["from"] == "stages"


def test_schema_rejects_figures_on_a_not_measured_record() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    stage_schema = {"$ref": "#/$defs/stage", "$defs": schema()["$defs"]}
    ok = not_measured("no camera", name="capture camera", kind="capture")
    jsonschema.validate(ok, stage_schema)
    for bad in ({**ok, "ms": summarize([0.0])}, {**ok, "fps": 0}, {k: v for k, v in ok.items() if k != "reason"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, stage_schema)


def _report() -> dict:
    return {"schema": "magicbooth.bench", "schema_version": 1, "created": "2026-01-01T00:00:00+00:00",
            "device": {"cpu": "x"},
            "end_to_end": _e2e(latency_ms=summarize([10.0, 12.0])),
            "models": [measured(name="m", variant="int8", threads=1, init_ms=5.0, warm_ms=summarize([2.0, 2.0])),
                       not_measured("absent", name="n", variant="float", threads=1)],
            "stages": [measured(name="encode libx264", kind="encoder", ms=summarize([4.0]), fps=200.0),
                       not_measured("no /dev/video11", name="encode h264_v4l2m2m", kind="encoder")]}


def test_compare_reports_deltas_and_never_compares_with_missing_figures() -> None:
    before = _report()
    after = copy.deepcopy(before)
    after["end_to_end"]["fps"] = 25.0
    after["end_to_end"]["cpu_ms_per_frame"] = 6.0
    after["models"][1] = measured(name="n", variant="float", threads=1, init_ms=1.0, warm_ms=summarize([1.0]))
    rows = {r["metric"]: r for r in compare.compare(before, after, "prev.json")["rows"]}
    fps = rows["end to end fps"]
    assert (fps["before"], fps["after"], fps["delta"], fps["delta_percent"], fps["change"]) == (
        30.0, 25.0, -5.0, -16.7, "worse")
    assert rows["end to end cpu_ms_per_frame"]["change"] == "better"
    assert rows["model m int8 ×1 warm median"]["change"] == "same"
    assert rows["model n float ×1 warm median"]["change"] == "only now"
    assert rows["model n float ×1 warm median"]["delta"] is None
    assert "stage encode h264_v4l2m2m median" not in rows  # measured in neither run


def test_load_report_refuses_what_is_not_a_bench_report(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match="no such report"):
        compare.load_report(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(BenchError, match="not a readable JSON"):
        compare.load_report(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema": "something else"}))
    with pytest.raises(BenchError, match="not a magicbooth bench report"):
        compare.load_report(other)
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"schema": "magicbooth.bench", "schema_version": 0}))
    with pytest.raises(BenchError, match="schema version 0"):
        compare.load_report(old)


def test_charts_are_inline_svg_with_their_data() -> None:
    hist = svg.histogram([1.0, 2.0, 2.5, 9.0], "Latency", bins=4, limit=5.0)
    assert hist.startswith("<svg") and "<title>Latency</title>" in hist
    assert hist.count('class="bin"') == 2 and "1–3 ms: 3" in hist and "7–9 ms: 1" in hist and "budget 5" in hist
    bars = svg.bars([("capture", 1.0, 2.0), ("camera", None, None)], "Stages", limit=33.3)
    assert bars.count('class="bar"') == 1 and "not measured" in bars and "budget" in bars
    line = svg.line([(0.0, 50.0), (1.0, 55.0), (2.0, None)], "Temperature", "°C")
    assert 'class="series"' in line and line.count(",") >= 2
    assert "not measured" in svg.line([(0.0, None)], "Temperature", "°C")


def test_pi4_prediction_scales_by_the_reference_models_instruction_count() -> None:
    from magicbooth.bench.predict import predict_pi4

    report = _report()
    assert predict_pi4(report, ipc=1.0, fps=30)["status"] == "not_measured"
    report["models"].append(measured(name="face_detection_short_range", variant="float", threads=1, init_ms=1.0,
                                     warm_ms=summarize([1.1, 1.32, 1.5])))
    p = predict_pi4(report, ipc=1.0, fps=30)
    assert p["status"] == "predicted"
    assert p["basis"]["pi4_reference_ms"] == pytest.approx(13.2)  # 19.8 M instructions at 1.5 GHz, IPC 1
    assert p["slowdown"] == pytest.approx(10.0)  # 13.2 ms there / 1.32 ms here
    assert p["cpu_ms_per_frame"] == pytest.approx(120.0)  # 12 ms here
    assert p["cores_needed_at_target"] == pytest.approx(3.6, abs=0.01)
    assert p["slowest_stage"] == "model worker segment" and p["slowest_stage_ms"] == pytest.approx(250.0)
    assert p["fits"] is False and p["fps_limit"] == pytest.approx(4.0)
    assert p["stage_ms"] == {"encode libx264": pytest.approx(40.0)}
    assert p["basis"]["kind"] == "reference_model"


def test_pi4_prediction_from_an_arm_counts_file(tmp_path: Path) -> None:
    from magicbooth.bench.predict import load_arm_counts, predict_pi4

    parts = {"frame": 90_000_000, "effect": 10_000_000, "encode libx264": 20_000_000, "detector": 25_000_000,
             "tracker (detector + landmarks)": 30_000_000, "segmenter": 60_000_000}
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"schema": "magicbooth.arm-counts", "cpu": "cortex-a72", "effect": "kaiju",
                                "manifest_sha256": "abcd", "measured": "now", "parts": parts}))
    p = predict_pi4(_report(), ipc=1.0, fps=30, arm_counts=load_arm_counts(path), manifest_sha256="ffff0000")
    assert p["basis"]["kind"] == "arm_counts" and "other model files" in p["basis"]["warning"]
    assert p["cpu_ms_per_frame"] == pytest.approx(60.0)  # 90 M at 1.5 G/s
    assert p["slowest_stage"] == "model worker: segmenter" and p["slowest_stage_ms"] == pytest.approx(40.0)
    assert p["fits"] is False and p["fps_limit"] == pytest.approx(25.0)
    assert p["with_hardware_encoder"]["cpu_ms_per_frame"] == pytest.approx(46.7, abs=0.05)
    path.write_text(json.dumps({"schema": "magicbooth.arm-counts", "parts": {"frame": 1}}))
    with pytest.raises(BenchError, match="not an ARM counts file"):
        load_arm_counts(path)


def test_prediction_per_cpu_class_and_the_hardware_encoders_cpu_share(tmp_path: Path) -> None:
    from magicbooth.bench.predict import load_arm_counts, predict_pi4
    from magicbooth.bench.summary import prediction_line

    a72 = {"frame": 75_000_000, "effect": 12_000_000, "encode libx264": 15_000_000,
           "encode h264_v4l2m2m (CPU side)": 1_500_000, "detector": 5_000_000,
           "tracker (detector + landmarks)": 24_000_000, "segmenter": 30_000_000}
    a76 = {k: v // 2 for k, v in a72.items()}
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"schema": "magicbooth.arm-counts", "cpu": "cortex-a72", "effect": "kaiju",
                                "manifest_sha256": "abcd", "measured": "now", "statistic": "mean", "lores": [320, 240],
                                "parts": a72, "by_cpu": {"cortex-a72": {"parts": a72},
                                                         "cortex-a76": {"parts": a76}}}))
    p = predict_pi4(_report(), ipc=1.0, fps=30, arm_counts=load_arm_counts(path), pi5_ipc=1.5)
    assert p["basis"]["board"] == "Raspberry Pi 4 Model B" and p["cpu_ms_per_frame"] == pytest.approx(50.0)
    hw = p["with_hardware_encoder"]
    assert hw["cpu_ms_per_frame"] == pytest.approx(41.0)  # (75 - 15 + 1.5) M at 1.5 G/s
    assert hw["slowest_stage"] == "model worker: segmenter" and hw["fits"] is True
    assert hw["margin"] == pytest.approx(0.4, abs=0.01)  # 20 ms of 33.3
    pi5 = p["by_cpu"]["cortex-a76"]
    assert pi5["basis"]["board"] == "Raspberry Pi 5" and pi5["basis"]["assumed_ipc"] == 1.5
    assert pi5["cpu_ms_per_frame"] == pytest.approx(37_500_000 / 3.6e9 * 1000, abs=0.05)  # 2.4 GHz × IPC 1.5
    line = prediction_line(p)
    assert "Raspberry Pi 5 (cortex-a76" in line and "40% of the frame to spare" in line


def test_progress_runs_phases_by_weight_to_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    from magicbooth.bench.progress import Progress

    seen: list[str] = []
    progress = Progress({"a": 3.0, "b": 1.0}, enabled=True)
    progress.when_phase = seen.append
    tick = progress.phase("a", steps=3)
    tick()
    assert progress._bar.n == 250  # one of three steps of three quarters of the run
    progress.phase("b")
    progress.fraction(0.5)
    assert progress._bar.n == 875
    progress.close()
    assert seen == ["a", "b"] and progress._bar.n == 1000
    assert "b" in capsys.readouterr().err  # drawn on stderr, named by phase


def _installed_manifest() -> dict:
    import tomllib

    from magicbooth.inference.loader import MANIFEST, MODELS_DIR

    return tomllib.loads((MODELS_DIR / MANIFEST).read_text(encoding="utf-8"))["models"]


def test_arm_instructions_by_cpu_class_are_the_installed_manifests() -> None:
    """Each class's graph is the loader's pick for it; counts and ratio are the manifest's, read here on their own."""
    from magicbooth.bench.instructions import TARGETS, by_cpu_class
    from magicbooth.inference.cpu import CLASSES, COUNTED_CORE
    from magicbooth.inference.loader import MANIFEST, MODELS_DIR, pick, read_manifest

    assert COUNTED_CORE == {"arm": "cortex-a72", "arm_dotprod": "cortex-a76"} and set(COUNTED_CORE) <= set(CLASSES)
    section = by_cpu_class()
    jsonschema.validate(section, {"$ref": "#/$defs/arm_instructions", "$defs": schema()["$defs"]})
    assert section["manifest"] == str(MODELS_DIR / MANIFEST) and section["targets"] == {"arm": 0.9, "arm_dotprod": 0.7}
    raw, entries = _installed_manifest(), read_manifest()
    assert [m["name"] for m in section["models"]] == sorted(raw)
    counted = 0
    for model in section["models"]:
        name = model["name"]
        assert set(model["by_class"]) == set(COUNTED_CORE)
        for cls, row in model["by_class"].items():
            core = COUNTED_CORE[cls]
            assert (row["cpu_class"], row["core"], row["graph"]) == (cls, core, pick(entries, name, cls))
            assert cls in raw[name][row["graph"]].get("cpus", []) or row["graph"] == "int8"
            n = raw[name][row["graph"]].get("instructions", {}).get(core)
            f = raw[name]["float"].get("instructions", {}).get(core)
            if n is None or f is None:
                assert row["status"] == "not_measured" and core in row["reason"] and name in row["reason"]
                assert "instructions" not in row and "ratio" not in row
                continue
            counted += 1
            assert row["status"] == "measured" and (row["instructions"], row["float_instructions"]) == (n, f)
            assert row["ratio"] == pytest.approx(n / f, abs=5e-5)
            assert row["met"] is (n / f <= TARGETS[cls])
    assert counted  # the installed manifest counts at least one model on the Pi cores


def test_arm_instructions_table_reads_the_section(tmp_path: Path) -> None:
    """The text line and the HTML rows of each model carry the section's graph, counts, ratio and verdict."""
    from magicbooth.bench import html
    from magicbooth.bench.instructions import by_cpu_class
    from magicbooth.bench.summary import instruction_lines

    section = by_cpu_class()
    lines = instruction_lines(section)
    assert lines[0].startswith("ARM instructions per invoke, by CPU class") and "arm_dotprod = cortex-a76" in lines[0]
    header, body = lines[1].splitlines()[0], lines[1].splitlines()[2:]
    assert "int8/float ≤ 0.9" in header and "int8/float ≤ 0.7" in header
    assert [line.split()[0] for line in body] == [m["name"] for m in section["models"]]  # one line per model
    page = html._instructions({"arm_instructions": section})
    for line, model in zip(body, section["models"], strict=True):
        for row in model["by_class"].values():
            assert row["graph"] in line.split()
            if row["status"] == "measured":
                verdict = "met" if row["met"] else "not met"
                assert f"{row['instructions'] / 1e6:.2f}" in line and f"{row['ratio']:.3f} {verdict}" in line
                assert f"<td class=\"num\">{row['ratio']:.4g}</td><td class=\"{'pass' if row['met'] else 'fail'}\">"\
                       f"{verdict}</td>" in page
            else:
                assert "not counted" in line and row["reason"] in page
    judged = [r for m in section["models"] for r in m["by_class"].values() if r["status"] == "measured"]
    assert f"targets met: {sum(r['met'] for r in judged)} of {len(judged)} counted" in lines[-1]
    assert page.count("<table>") == 2 and "<h3>arm_dotprod: cortex-a76, Raspberry Pi 5</h3>" in page


MANIFEST = """
[models.m]
task = "detection"
[models.m.input]
shape = [1, 8, 8, 3]
range = [0.0, 1.0]
normalisation = "x"
[models.m.outputs]
y = "y"
[models.m.int8]
file = "m_int8.tflite"
sha256 = "0"
cpus = ["arm", "x86_64"]
quantization = "int8"
io = "float32"
[models.m.int8.instructions]
cortex-a72 = 800
cortex-a76 = 900
[models.m.int8_dotprod]
file = "m_int8_dotprod.tflite"
sha256 = "1"
cpus = ["arm_dotprod"]
quantization = "int8"
io = "float32"
[models.m.int8_dotprod.instructions]
cortex-a72 = 1100
cortex-a76 = 600
note = "counted twice"
[models.m.float]
file = "m_float.tflite"
sha256 = "2"
quantization = "float32"
io = "float32"
[models.m.float.instructions]
cortex-a72 = 1000
cortex-a76 = 1000
[models.m.float.instructions_fp16]
cortex-a76 = 700
broken = true
[models.n]
task = "detection"
[models.n.input]
shape = [1, 8, 8, 3]
range = [0.0, 1.0]
normalisation = "x"
[models.n.outputs]
y = "y"
[models.n.int8]
file = "n_int8.tflite"
sha256 = "3"
quantization = "int8"
io = "float32"
[models.n.int8.instructions]
cortex-a72 = 500
cortex-a76 = 800
[models.n.float]
file = "n_float.tflite"
sha256 = "4"
quantization = "float32"
io = "float32"
[models.n.float.instructions]
cortex-a76 = 1000
"""


def test_arm_instructions_tolerate_missing_and_further_counts(tmp_path: Path) -> None:
    """Per class the picked graph (a class with none listed gets the default's); absent counts are not measured;
    a float count with the fp16 hint shows beside, the ratio stays against plain float."""
    from magicbooth.bench.instructions import by_cpu_class
    from magicbooth.bench.summary import instruction_lines
    from magicbooth.inference.loader import read_instructions

    (tmp_path / "manifest.toml").write_text(MANIFEST)
    assert read_instructions(tmp_path)[("m", "float")] == {"cortex-a72": 1000, "cortex-a76": 1000,
                                                             "fp16.cortex-a76": 700}
    assert read_instructions(tmp_path)[("n", "float")] == {"cortex-a76": 1000}
    section = by_cpu_class(tmp_path)
    jsonschema.validate(section, {"$ref": "#/$defs/arm_instructions", "$defs": schema()["$defs"]})
    m, n = (model["by_class"] for model in section["models"])
    assert (m["arm"]["graph"], m["arm"]["ratio"], m["arm"]["met"]) == ("int8", 0.8, True)
    dotprod = m["arm_dotprod"]
    assert (dotprod["graph"], dotprod["ratio"], dotprod["met"]) == ("int8_dotprod", 0.6, True)
    assert m["arm_dotprod"]["float_fp16_instructions"] == 700 and "float_fp16_instructions" not in m["arm"]
    assert n["arm_dotprod"]["graph"] == "int8" and n["arm"]["status"] == "not_measured"
    assert n["arm"]["reason"] == "the manifest has no cortex-a72 count for n float"
    assert (n["arm_dotprod"]["ratio"], n["arm_dotprod"]["met"]) == (0.8, False)  # above 0.7 on Cortex-A76
    assert "float_fp16_instructions" not in n["arm_dotprod"]
    text = "\n".join(instruction_lines(section))
    assert "fp16 M" in text and "0.600 met" in text and "0.800 not met" in text
    assert "targets met: 2 of 3 counted" in text and "not counted" in text
    missing = by_cpu_class(tmp_path / "nowhere")
    assert missing["status"] == "not_measured" and "manifest missing" in missing["reason"]
    assert "not measured: " in instruction_lines(missing)[0]


def test_the_report_has_the_arm_instructions_only_with_arm_counts(tmp_path: Path) -> None:
    from magicbooth.bench import html, summary
    from magicbooth.bench.predict import load_arm_counts
    from magicbooth.bench.runner import BenchSettings, run_bench
    from magicbooth.core.config import Config

    parts = {"frame": 9_000_000, "effect": 1_000_000, "encode libx264": 2_000_000, "detector": 2_500_000,
             "tracker (detector + landmarks)": 3_000_000, "segmenter": 6_000_000}
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"schema": "magicbooth.arm-counts", "cpu": "cortex-a72", "parts": parts}))
    for counts in (None, load_arm_counts(path)):
        report = run_bench(BenchSettings(quick=True, progress=False, parts=frozenset(), arm_counts=counts), Config())
        jsonschema.validate(report, schema(), cls=jsonschema.Draft202012Validator)
        assert ("arm_instructions" in report) is (counts is not None)
        title = "ARM instructions per invoke, by CPU class"
        assert (title in summary.render(report)) is (counts is not None)
        assert (title in html.render(report)) is (counts is not None)
