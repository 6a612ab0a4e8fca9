"""The self-contained HTML report: one file, inline SVG charts, nothing fetched from the network."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from magicbooth.bench import svg
from magicbooth.bench.measures import is_measured, stage_cpu_ms
from magicbooth.bench.predict import BOARDS
from magicbooth.bench.summary import variant_label

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;
vertical-align:top}th{background:#f3f3f3}.pass{color:#1e7b34;font-weight:bold}.fail{color:#c0392b;
font-weight:bold}.not_measured,.incomplete,.nm{color:#8a6d00}.num{text-align:right;font-variant-numeric:
tabular-nums}svg.chart{display:block;margin:10px 0;background:#fff;border:1px solid #eee}.grid{display:flex;
flex-wrap:wrap;gap:8px}
"""


@dataclass(frozen=True)
class Marked:
    """A table cell in a status colour (``pass``, ``fail``)."""

    text: str
    css: str


def _cell(value: Any) -> str:
    if isinstance(value, Marked):
        return f'<td class="{escape(value.css)}">{escape(value.text)}</td>'
    if value is None:
        return '<td class="nm">not measured</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:.4g}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(str(value))}</td>"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _verdict(report: dict[str, Any]) -> str:
    v = report["verdict"]
    status = v["status"]
    worst = v.get("bottleneck")
    out = [f'<p>Verdict: <span class="{status}">{escape(status.replace("_", " ").upper())}</span> against a '
           f'{v["budget_ms"]:.1f} ms frame budget — {escape(v["summary"])}.</p>']
    if worst:
        out.append(f"<p>Bottleneck: <b>{escape(worst['stage'])}</b>, p90 {worst['p90_ms']:.1f} ms "
                   f"(from the {escape(worst['from'].replace('_', ' '))} measurements).</p>")
    rows = [[t["name"], t["value"], f"{t['comparison']} {t['limit']} {t['unit']}", t["status"]]
            for t in v["targets"]]
    out.append(_table(["target", "measured", "limit", "result"], rows))
    return "".join(out)


def _device(report: dict[str, Any]) -> str:
    d = report["device"]
    throttled = d.get("throttled")
    flags = ", ".join(k for k, on in (throttled or {}).items() if on is True) or "none"
    rows = [["board", d["board"]], ["CPU", f"{d['cpu']} ({d['machine']}), {d['cores']} cores"],
            ["CPU class (which int8 graphs load)",
             f"{d['cpu_class']} ({d.get('cpu_class_evidence')})" if d.get("cpu_class") else None],
            ["RAM", f"{d['ram_mb']} MB" if d["ram_mb"] else None], ["OS", f"{d['os']}, kernel {d.get('kernel')}"],
            ["Python", d["python"]], ["LiteRT", d["litert"]],
            ["XNNPACK", None if d["xnnpack"] is None else ("on" if d["xnnpack"] else "off")],
            ["XNNPACK AMX tiles", d.get("xnnpack_amx")],
            ["CPU governor", d["governor"]],
            ["temperature", None if d["temperature_c"] is None else f"{d['temperature_c']:.1f} °C "
             f"({d.get('temperature_source')})"],
            ["throttling (vcgencmd)", None if throttled is None else f"{throttled['raw']}: {flags}"]]
    return _table(["", "value"], rows)


def _end_to_end(report: dict[str, Any]) -> str:
    from magicbooth.bench.summary import booth_ui_line, quality_lines

    e = report["end_to_end"]
    budget = report["verdict"]["budget_ms"]
    if not is_measured(e):
        return f'<p class="nm">Not measured: {escape(e["reason"])}</p>'
    rows = [["source", e["source"]], ["effect", e["effect"] or "none"], ["recording", e["encoder"]],
            ["display", e.get("display")], ["frames", e["frames"]], ["fps", e["fps"]],
            ["dropped frames", f"{e['dropped_frames']} ({e.get('dropped_capture')} capture, "
             f"{e.get('dropped_recording')} recording)"],
            ["CPU per frame (all threads)", f"{e['cpu_ms_per_frame']} ms"],
            ["process CPU", f"{e['process_cpu_percent']} % of one core"],
            ["CPU per core (whole system)", ", ".join("n/a" if c is None else f"{c:.0f} %"
                                                       for c in e["cpu_percent_per_core"])],
            ["peak RSS", f"{e['peak_rss_mb']} MB ({e.get('peak_rss_scope')})"],
            ["clip recorded", f"{e['clip_bytes'] / 1e6:.2f} MB, {e.get('clip_seconds')} s, "
             f"{e.get('clip_frames')} frames"],
            ["perception found", ", ".join(f"{k} in {v}/{e['frames']} frames" for k, v in e["found"].items())],
            ["missing from this run", "; ".join(e["missing"]) or "nothing"],
            ["booth UI per frame", booth_ui_line(e).strip().removeprefix("booth ui ms: ")],
            ["quality", "; ".join(line.strip() for line in quality_lines(e))]]
    charts = [svg.histogram(e["latency_samples_ms"], "Capture-to-display latency", limit=None),
              svg.histogram(e["loop_samples_ms"], "Main-loop time per frame", limit=budget)]
    charts.append(svg.bars([(name, ms, None) for name, ms in e["cpu_ms_per_frame_by_thread"].items()],
                           "CPU ms per frame by thread (all cores)"))
    stage_rows = [(name, s["median"], s["p90"]) for name, s in {**e["stage_ms"], **e["worker_ms"]}.items()]
    charts.append(svg.bars(stage_rows, "Live pipeline: main-loop stages and model workers (median, p90 mark)",
                           limit=budget))
    return _table(["", "value"], rows) + '<div class="grid">' + "".join(charts) + "</div>"


def _quality(report: dict[str, Any]) -> str:
    """The quality levels table and the governor's load check, when the run had them."""
    from magicbooth.bench.summary import load_check_lines

    parts = []
    if report.get("quality_levels"):
        parts.append("<h2>Quality levels (each held for one end-to-end run)</h2>" + _table(
            ["level", "what", "fps", "dropped", "CPU ms/frame", "power W", "J per recorded minute"],
            [[f"{r['level']} {r['name']}", r["what"], r.get("fps"), r.get("dropped_frames"), r.get("cpu_ms_per_frame"),
              r.get("power_w"), r.get("joules_per_recorded_minute")] for r in report["quality_levels"]]))
    if report.get("load_check"):
        lines = load_check_lines(report["load_check"])
        parts.append("<h2>Quality governor under load</h2>" + "".join(f"<p>{escape(line)}</p>" for line in lines))
        check = report["load_check"]
        if is_measured(check):
            parts.append('<div class="grid">' + svg.bars(
                [(f"{x['t']} s{' *' if x['loaded'] else ''} L{x['level']}", x["fps"], None) for x in check["timeline"]],
                "Frames per second, each second (* loaded, L = level)") + "</div>")
    return "".join(parts)


def _stages(report: dict[str, Any]) -> str:
    budget = report["verdict"]["budget_ms"]
    stages = report["stages"]
    bar_rows = [(s["name"], s["ms"]["median"] if is_measured(s) else None,
                 s["ms"]["p90"] if is_measured(s) else None) for s in stages]
    table = _table(["stage", "median ms", "p90 ms", "fps", "CPU ms/frame", "notes"],
                   [[s["name"], s["ms"]["median"], s["ms"]["p90"], s.get("fps", "-"), stage_cpu_ms(s),
                     s.get("detail", "")] if is_measured(s) else
                    [s["name"], None, None, None, None, s["reason"]] for s in stages])
    hists = [svg.histogram(s["samples_ms"], s["name"]) for s in stages if is_measured(s)]
    return (svg.bars(bar_rows, "Per-stage cost, each measured alone (median, p90 mark)", limit=budget) + table
            + '<div class="grid">' + "".join(hists) + "</div>")


def _models(report: dict[str, Any]) -> str:
    models = report["models"]
    if not models:
        return f'<p class="nm">Not measured: {escape(report.get("models_note") or "no models found")}</p>'
    rows = []
    for m in models:
        if is_measured(m):
            w = m["warm_ms"]
            rows.append([m["name"], variant_label(m), m["threads"], m["init_ms"], m["first_invoke_ms"], w["median"],
                         w["p90"], w["p99"], w["stddev"], m.get("warm_cpu_ms", {}).get("median"),
                         m["xnnpack_partitions"]])
        else:
            rows.append([m["name"], variant_label(m), m["threads"], None, None, None, None, None, None, None,
                         m["reason"]])
    hists = [svg.histogram(m["samples_ms"], f"{m['name']} {m['variant']} ×{m['threads']}", bins=20)
             for m in models if is_measured(m)]
    note = ("<p>* the int8 graph the loader picks on this CPU.</p>" if any(m.get("picked") for m in models) else "")
    return (_table(["model", "variant", "threads", "init ms", "first invoke ms", "warm median", "p90", "p99",
                    "stddev", "CPU median (all threads)", "XNNPACK partitions"], rows) + note
            + '<div class="grid">' + "".join(hists) + "</div>")


def _thermal(report: dict[str, Any]) -> str:
    th = report["thermal"]
    samples = th["samples"]
    temps = [(s["t"], s["temperature_c"]) for s in samples]
    clocks = [(s["t"], s["clock_mhz"]) for s in samples]
    note = (f"<p>Temperature from {escape(th['temperature_source'] or 'nowhere (not measured)')}; clock from "
            f"{escape(th['clock_source'] or 'nowhere (not measured)')}; one sample every {th['interval_s']} s.</p>")
    phases: list[tuple[str, float]] = []
    for s in samples:
        if not phases or phases[-1][0] != s["phase"]:
            phases.append((s["phase"], s["t"]))
    phase_text = "<p>Phases: " + ", ".join(f"{escape(p)} from {t:.0f} s" for p, t in phases) + "</p>"
    return note + phase_text + '<div class="grid">' + svg.line(temps, "Temperature", "°C", color="#c0392b") + \
        svg.line(clocks, "CPU clock", "MHz") + "</div>"


def _prediction(report: dict[str, Any]) -> str:
    from magicbooth.bench.summary import prediction_line

    p = report.get("prediction")
    out = f"<p>{escape(prediction_line(p))}.</p>"
    if p and p.get("stage_ms"):
        out += svg.bars([(name, ms, None) for name, ms in p["stage_ms"].items()],
                        "Predicted Pi 4 cost per stage (scaled medians)", limit=report["verdict"]["budget_ms"])
    return out + ("<p>A first-order estimate from ARM instruction counts at an assumed instructions-per-cycle: "
                  "caches and memory bandwidth are not modelled, and capture and the display are not counted.</p>")


def _instructions(report: dict[str, Any]) -> str:
    """With --arm-counts: each model's int8/float ARM instructions on each CPU class's core, judged by its target."""
    section = report.get("arm_instructions")
    if not section:
        return ""
    head = "<h2>ARM instructions per invoke, by CPU class</h2>"
    if not is_measured(section):
        return head + f'<p class="nm">Not measured: {escape(section["reason"])}</p>'
    cores, targets = section["cores"], section["targets"]
    fp16 = any("float_fp16_instructions" in r for m in section["models"] for r in m["by_class"].values())
    parts = [head, f"<p>From the installed manifest ({escape(section['manifest'])}), in millions per invoke "
             "(1 thread, XNNPACK, emulated: a stand-in for speed, not a time). Each class gets the graph the loader "
             "picks for it; its count on the class's core is set against the float graph's on the same core.</p>"]
    for cls, core in cores.items():
        board = f", {BOARDS[core]['board']}" if core in BOARDS else ""
        target = f" ≤ {targets[cls]:g}" if cls in targets else ""
        headers = ["model", "graph", f"{core} M", "float M", *(["float, fp16 hint, M"] if fp16 else []),
                   f"int8/float{target}", "target"]
        parts.append(f"<h3>{escape(cls)}: {escape(core)}{escape(board)}</h3>"
                     + _table(headers, [_class_cells(m["name"], m["by_class"][cls], fp16) for m in section["models"]]))
    return "".join(parts)


def _class_cells(name: str, row: dict[str, Any], fp16: bool) -> list[Any]:
    if not is_measured(row):
        return [name, row["graph"], None, None, *([None] if fp16 else []), None, row["reason"]]
    fp16_m = row.get("float_fp16_instructions")
    met = ("" if "met" not in row else Marked("met", "pass") if row["met"] else Marked("not met", "fail"))
    return [name, row["graph"], row["instructions"] / 1e6, row["float_instructions"] / 1e6,
            *([None if fp16_m is None else fp16_m / 1e6] if fp16 else []), row["ratio"], met]


def _compare(report: dict[str, Any]) -> str:
    cmp = report.get("compare")
    if not cmp:
        return ""
    rows = [[r["metric"], r["before"], r["after"], r["delta"],
             None if r["delta_percent"] is None else f"{r['delta_percent']:+.1f} %", r["change"]]
            for r in cmp["rows"]]
    head = (f"<h2>Compared with {escape(cmp['against'])}</h2><p>Earlier run: {escape(str(cmp.get('against_created')))}"
            + ("" if cmp.get("same_device", True) else " — <b>on a different CPU</b>") + ".</p>")
    return head + _table(["metric", "before", "now", "delta", "delta %", "change"], rows)


def render(report: dict[str, Any]) -> str:
    """The whole report as one HTML string."""
    s = report["settings"]
    title = f"magicbooth bench — {report['device']['board'] or report['device']['cpu']}"
    return "".join([
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(report['created'])} · magicbooth {escape(report['magicbooth'])} · "
        f"{'quick' if s['quick'] else 'full'} run, {s['size'][0]}×{s['size'][1]}, source {escape(s['source'])}, "
        f"effect {escape(str(s['effect']))}, threads {', '.join(map(str, s['threads']))} · "
        f"schema {escape(report['schema'])}/{report['schema_version']}</p>",
        "<h2>Verdict</h2>", _verdict(report),
        "<h2>Device</h2>", _device(report),
        "<h2>End to end (live, while recording)</h2>", _end_to_end(report), _quality(report),
        "<h2>Per stage</h2>", _stages(report),
        "<h2>Per model</h2>", _models(report),
        "<h2>Temperature and clock</h2>", _thermal(report),
        "<h2>Raspberry Pi 4 prediction</h2>", _prediction(report), _instructions(report),
        _compare(report),
        "</body></html>\n",
    ])
