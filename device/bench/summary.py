"""The terminal summary: verdict, targets, stages and models as plain aligned tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from magicbooth.bench.measures import is_measured, stage_cpu_ms
from magicbooth.bench.predict import BOARDS

NM = "not measured"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Left-aligned text columns, numbers formatted to 4 significant digits."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h)) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if v is None:
        return NM
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def render(report: dict[str, Any]) -> str:
    """Everything a person needs from the run, in about one screen."""
    v = report["verdict"]
    d = report["device"]
    out = [f"magicbooth bench: {d['board'] or d['cpu']} · {d['cores']} cores"
           + (f" · CPU class {d['cpu_class']}" if d.get("cpu_class") else "")
           + f" · {d['litert'] or 'no LiteRT'} · "
           f"CPU governor {d['governor'] or NM} · temperature "
           + (f"{d['temperature_c']:.1f} °C" if d["temperature_c"] is not None else NM)
           + (f" · XNNPACK AMX tiles {d['xnnpack_amx']}" if d.get("xnnpack_amx") not in (None, "absent") else ""),
           ""]
    out.append(f"VERDICT: {v['status'].replace('_', ' ').upper()} (budget {v['budget_ms']:.1f} ms/frame) — "
               f"{v['summary']}")
    if v["bottleneck"]:
        out.append(f"bottleneck: {v['bottleneck']['stage']} (p90 {v['bottleneck']['p90_ms']:.1f} ms)")
    out += ["", table(["target", "measured", "limit", "result"],
                      [[t["name"], t["value"], f"{t['comparison']} {t['limit']} {t['unit']}", t["status"]]
                       for t in v["targets"]])]
    e = report["end_to_end"]
    if is_measured(e):
        out += ["", f"end to end: {e['fps']} fps, {e['dropped_frames']} dropped, latency median "
                f"{e['latency_ms']['median']:.1f} ms (p90 {e['latency_ms']['p90']:.1f}), CPU {e['cpu_ms_per_frame']} "
                f"ms/frame, peak RSS {e['peak_rss_mb']} MB; effect {e['effect'] or 'none'}, recording {e['encoder']}"]
        out.append("  CPU ms/frame by thread: " + ", ".join(f"{name} {ms:.1f}" for name, ms in
                                                         e["cpu_ms_per_frame_by_thread"].items()))
        out.append("  perception found " + ", ".join(f"{k} in {v}/{e['frames']}" for k, v in e["found"].items())
                   + " frames")
        out.append(booth_ui_line(e))
        out += quality_lines(e)
        if e["missing"]:
            out.append("  missing: " + "; ".join(e["missing"]))
    else:
        out += ["", f"end to end: {NM}: {e['reason']}"]
    if report.get("quality_levels"):
        out += ["", "quality levels (the end-to-end run with each level held; energy where the board can tell):",
                table(["level", "what", "fps", "dropped", "CPU ms/frame", "power W", "J per recorded minute"],
                      [[f"{r['level']} {r['name']}", r["what"], r["fps"], r["dropped_frames"], r["cpu_ms_per_frame"],
                        r["power_w"], r["joules_per_recorded_minute"]] if is_measured(r) else
                       [f"{r['level']} {r['name']}", r["what"], None, None, None, None, r["reason"]]
                       for r in report["quality_levels"]])]
    if report.get("load_check"):
        out += ["", *load_check_lines(report["load_check"])]
    out += ["", table(["stage", "median ms", "p90 ms", "fps", "CPU ms/frame", "note"],
                      [[s["name"], s["ms"]["median"], s["ms"]["p90"], s.get("fps", "-"),
                        stage_cpu_ms(s), ""]
                       if is_measured(s) else [s["name"], None, None, None, None, s["reason"]]
                       for s in report["stages"]])]
    if report["models"]:
        out += ["", table(["model", "variant", "thr", "init ms", "first ms", "median", "p90", "p99", "std", "cpu med",
                           "parts"],
                          [[m["name"], variant_label(m), m["threads"], m["init_ms"], m["first_invoke_ms"],
                            m["warm_ms"]["median"], m["warm_ms"]["p90"], m["warm_ms"]["p99"], m["warm_ms"]["stddev"],
                            m.get("warm_cpu_ms", {}).get("median"), m["xnnpack_partitions"]] if is_measured(m) else
                           [m["name"], variant_label(m), m["threads"], None, None, None, None, None, None, None, None]
                           for m in report["models"]])]
        if any(m.get("picked") for m in report["models"]):
            out.append("  * the int8 graph the loader picks on this CPU")
    else:
        out += ["", f"models: {NM}: {report.get('models_note')}"]
    out += ["", prediction_line(report.get("prediction"))]
    if report.get("arm_instructions"):
        out += ["", *instruction_lines(report["arm_instructions"])]
    th = report["thermal"]
    if th.get("temperature_c"):
        t = th["temperature_c"]
        out.append(f"\ntemperature {t['start']:.1f} → max {t['max']:.1f} °C ({th['temperature_source']})")
    else:
        out.append(f"\ntemperature: {NM} (no vcgencmd, no sysfs thermal zone)")
    cmp = report.get("compare")
    if cmp:
        changed = [r for r in cmp["rows"] if r["change"] not in ("same",)]
        out += ["", f"compared with {cmp['against']} ({len(cmp['rows'])} metrics, {len(changed)} changed):",
                table(["metric", "before", "now", "delta %", "change"],
                      [[r["metric"], r["before"], r["after"],
                        "" if r["delta_percent"] is None else f"{r['delta_percent']:+.1f}%", r["change"]]
                       for r in cmp["rows"]])]
    return "\n".join(out)


def variant_label(m: dict[str, Any]) -> str:
    return f"{m['variant']}*" if m.get("picked") else m["variant"]


def quality_lines(e: dict[str, Any]) -> list[str]:
    """Which quality levels the run was at, why they changed, and the energy it took."""
    q = e.get("quality") or {}
    spent = ", ".join(f"{level} for {seconds:.1f} s" for level, seconds in q.get("levels_s", {}).items())
    lines = [f"  quality (governor {q.get('governor', 'off')}): level {spent or 'none'}; ended at "
             f"{q.get('final')} {q.get('final_name', '')}".rstrip()]
    lines += [f"    {c['t']:.1f} s: {c['from']} -> {c['to']}: {c['reason']}" for c in q.get("changes", [])]
    if e.get("power_w") is not None:
        lines.append(f"  power {e['power_w']:.2f} W: {e['joules_per_recorded_minute']:.0f} J per recorded minute "
                     f"({e['power_source']})")
    else:
        lines.append(f"  energy: {e.get('power_source') or NM}")
    return lines


def load_check_lines(c: dict[str, Any]) -> list[str]:
    """The governor under a known load: frame rate and level before, during and after."""
    if not is_measured(c):
        return [f"load check: {NM}: {c['reason']}"]
    head = (f"load check ({c['procs']} spinning processes for {c['load_s']:.0f} s after {c['calm_s']:.0f} s calm, "
            f"then {c['after_s']:.0f} s calm; target {c['target_fps']:g} fps): fps {c['fps_before']} before, "
            f"{c['fps_first_loaded_s']} in the first loaded seconds, {c['fps_last_loaded_5s']} in the last 5 loaded "
            f"seconds at level {c['level_at_load_end']} (lowest {c['lowest_level']}), {c['fps_after_last_5s']} at "
            f"the end at level {c['level_at_end']}")
    timeline = " ".join(f"{s['fps']}{'*' if s['loaded'] else ''}/{s['level']}" for s in c["timeline"])
    changes = [f"    {x['t']:.1f} s: {x['from']} -> {x['to']}: {x['reason']}" for x in c["quality"]["changes"]]
    return [head, f"  per second, fps/level (* loaded): {timeline}", *changes]


def booth_ui_line(e: dict[str, Any]) -> str:
    """The booth's own UI drawing per frame (the issue's target: 3 ms at 1280x720 over the live picture)."""
    ui = e.get("booth_ui_ms")
    if not ui:
        return "  booth ui ms: not measured (no screen to draw on)"
    states = ", ".join(f"{state} {stats['median']:.2f}" for state, stats in e.get("booth_ui_ms_by_state", {}).items())
    show = e.get("booth_show_ms") or {}
    cpu = e.get("booth_ui_cpu_ms") or {}
    hands = (e.get("worker_ms") or {}).get("model worker hands (gestures)")
    gestures = e.get("gestures") or {}
    hand_line = (f"; gestures on: hand watcher median {hands['median']:.2f} ms a frame on its thread (attract and "
                 f"review only), a hand in {gestures.get('frames_with_hand', 0)} frames" if gestures.get("on") and hands
                 else "; gestures off" if not gestures.get("on") else "")
    return (f"  booth ui ms: median {ui['median']:.2f}, mean {ui['mean']:.2f}, p90 {ui['p90']:.2f}, "
            f"max {ui['max']:.1f} at {e.get('booth_screen')} over the live picture ({states}); main-thread CPU "
            f"median {cpu.get('median', 0):.2f}, mean {cpu.get('mean', 0):.2f}, p90 {cpu.get('p90', 0):.2f}; "
            f"picture under it {show.get('median', 0):.2f} ms{hand_line}")


def prediction_line(p: dict[str, Any] | None) -> str:
    """One paragraph: what the run predicts for a Raspberry Pi 4, and from what."""
    if not p:
        return "Pi 4 prediction: not made"
    if p["status"] != "predicted":
        return f"Pi 4 prediction: {NM}: {p['reason']}"
    b = p["basis"]
    at = f"IPC {b['assumed_ipc']:g} at {b['clock_mhz']} MHz"
    if b["kind"] == "arm_counts":
        text = (f"Pi 4 prediction (from {b['instructions_per_frame'] / 1e6:.1f} M {b['cpu_counted']} instructions per "
                f"frame of {b['effect']}, counted {b['measured']}; {at})")
        if b.get("warning"):
            text += f" [{b['warning']}]"
    else:
        text = (f"Pi 4 prediction (×{p['slowdown']:.1f} slower than here: {b['reference']} is {b['host_ms']:.2f} ms "
                f"here and ~{b['a72_instructions'] / 1e6:.1f} M A72 instructions = {b['pi4_reference_ms']:.1f} ms at "
                f"{at}; no ARM counts file, so a cruder basis)")
    if "cpu_ms_per_frame" in p:
        text += (f": {p['cpu_ms_per_frame']:.0f} ms CPU per frame = {p['cores_needed_at_target']:.1f} of "
                 f"{b['cores']} cores at the target rate; slowest stage {p['slowest_stage']} "
                 f"~{p['slowest_stage_ms']:.0f} ms; about {p['fps_limit']:.0f} fps — "
                 + ("fits" if p["fits"] else "does NOT fit"))
    if "with_hardware_encoder" in p:
        hw = p["with_hardware_encoder"]
        text += (f"; with the Pi 4's hardware encoder {hw['cpu_ms_per_frame']:.0f} ms "
                 f"({hw['cores_needed_at_target']:.1f} cores")
        if "slowest_stage_ms" in hw:
            text += (f", slowest {hw['slowest_stage']} ~{hw['slowest_stage_ms']:.0f} ms, "
                     + ("fits" if hw["fits"] else "does NOT fit")
                     + (f" with {hw['margin']:.0%} of the frame to spare" if hw.get("margin", -1) > 0 else ""))
        text += ")"
    for cpu, other in (p.get("by_cpu") or {}).items():
        if cpu == b.get("cpu_counted"):
            continue
        ob = other["basis"]
        text += (f". {ob['board']} ({cpu}, {ob['instructions_per_frame'] / 1e6:.1f} M instructions per frame, IPC "
                 f"{ob['assumed_ipc']:g} at {ob['clock_mhz']} MHz): {other['cpu_ms_per_frame']:.0f} ms CPU per frame, "
                 f"slowest {other['slowest_stage']} ~{other['slowest_stage_ms']:.0f} ms — "
                 + ("fits" if other["fits"] else "does NOT fit"))
    return text


def instruction_lines(section: dict[str, Any]) -> list[str]:
    """Each model's ARM instructions per invoke by CPU class: one line per model, a group of columns per class."""
    if not is_measured(section):
        return [f"ARM instructions per invoke, by CPU class: {NM}: {section['reason']}"]
    cores, targets = section["cores"], section["targets"]
    fp16 = any("float_fp16_instructions" in row for m in section["models"] for row in m["by_class"].values())
    headers = ["model"]
    for cls, core in cores.items():
        short = core.removeprefix("cortex-").upper()
        headers += [f"{cls} graph", f"{short} M", "float M", *(["float fp16 M"] if fp16 else []),
                    f"int8/float ≤ {targets[cls]:g}" if cls in targets else "int8/float"]
    rows = [[m["name"], *(cell for cls in cores for cell in class_cells(m["by_class"][cls], fp16))]
            for m in section["models"]]
    judged = [r for m in section["models"] for r in m["by_class"].values() if "met" in r]
    where = "; ".join(f"{cls} = {core}" + (f", {BOARDS[core]['board']}" if core in BOARDS else "")
                      for cls, core in cores.items())
    return [f"ARM instructions per invoke, by CPU class (M = millions on the class's core: {where}):",
            table(headers, rows), "  graph: the one the loader picks for the class"
            + ("; not counted: the manifest has no count of the graph or of float on that core"
               if any(not is_measured(r) for m in section["models"] for r in m["by_class"].values()) else ""),
            f"  targets met: {sum(r['met'] for r in judged)} of {len(judged)} counted; from {section['manifest']}"]


def class_cells(row: dict[str, Any], fp16: bool) -> list[Any]:
    """One class's columns: graph, its count, float's (and float with the fp16 hint), int8/float and the verdict."""
    if not is_measured(row):
        return [row["graph"], "-", "-", *(["-"] if fp16 else []), "not counted"]
    extra = [_millions(row.get("float_fp16_instructions"))] if fp16 else []
    verdict = "" if "met" not in row else " met" if row["met"] else " not met"
    return [row["graph"], _millions(row["instructions"]), _millions(row["float_instructions"]), *extra,
            f"{row['ratio']:.3f}{verdict}"]


def _millions(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e6:.2f}"
