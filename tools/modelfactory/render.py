"""REPORT.md from the report's JSON data: one summary table, then one section per model."""

from __future__ import annotations

from typing import Any


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown(data: dict[str, Any]) -> str:
    lines = ["# int8 model validation report", "",
             f"Written by `{data['command']}`; the same numbers are in `REPORT.json`.", "",
             f"Machine: {data['machine']['cpu']}, {data['machine']['cores']} cores, Python "
             f"{data['machine']['python']}, ai-edge-litert {data['machine']['ai_edge_litert']}. "
             "The machine is shared, so only ratios measured side by side in one run mean much.", "",
             f"Held-out set: {data['held_out']['scenes']} scenes on backgrounds never used for calibration "
             f"({', '.join(data['held_out']['backgrounds'])}); int8 is compared with the float reference "
             "beside it. Latency: median of "
             f"{data['latency_invokes']} invokes per variant and thread count, float and int8 alternating in "
             "rounds." + (f" This report was merged: {data['merged']}." if data.get("merged") else ""), "",
             "## Summary", "",
             "| model | target | measured | met |", "| --- | --- | --- | --- |"]
    for name, model in data["models"].items():
        for check in model["targets"]:
            lines.append(f"| {name} | {check['target']} | {_fmt(check['measured'])} | "
                         f"{'yes' if check['met'] else '**no**'} |")
    for name, model in data["models"].items():
        lines += ["", f"## {name}", "", "Accuracy, int8 against float:", "", "| metric | value |", "| --- | --- |"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in model["accuracy"].items()]
        lines += ["", "| threads | float ms | int8 ms | int8 / float |", "| --- | --- | --- | --- |"]
        for threads, t in model["latency"].items():
            if threads.isdigit():
                lines.append(f"| {threads} | {t['float_ms']:.3f} | {t['int8_ms']:.3f} | {t['ratio']:.2f} |")
        lines += ["", "| variant | XNNPACK partitions | ops delegated | ops on default kernels |",
                  "| --- | --- | --- | --- |"]
        for variant, a in model["acceleration"].items():
            lines.append(f"| {variant} | {a['partitions']} | {a['delegated_ops']} | "
                         f"{', '.join(a['ops_outside']) or 'none'} |")
        if model.get("arm_instructions"):
            lines += ["", "ARM instructions per invoke (1 thread, emulated; a stand-in for Pi speed, not a time):", "",
                      "| CPU | float | int8 | int8 / float |", "| --- | --- | --- | --- |"]
            for cpu, counts in model["arm_instructions"].items():
                f, q = counts.get("float"), counts.get("int8")
                ratio = f"{q / f:.2f}" if f and q else "n/a"
                lines.append(f"| {cpu} | {f or 'n/a':,} | {q or 'n/a':,} | {ratio} |" if f and q
                             else f"| {cpu} | {f} | {q} | n/a |")
        if model.get("accuracy_blame"):
            lines += ["", "Accuracy miss: the ops that add the most int8 error (relative RMS error of the op's "
                      f"output over the worst of its inputs; final output error {_fmt(model.get('output_error'))}):",
                      "", "| op # | op | output tensor | relative error | error added |",
                      "| --- | --- | --- | --- | --- |"]
            lines += [f"| {b['op_index']} | {b['op']} | `{b['tensor']}` | {b['relative_error']:.3f} | "
                      f"{b['error_added']:+.3f} |" for b in model["accuracy_blame"]]
        if model.get("sensitivity"):
            sweep = model["sensitivity"]
            better = max if sweep["higher_is_better"] else min
            best = better(sweep["blocks"], key=lambda b: b[sweep["metric"]])
            lines += ["", f"Sensitivity: `{sweep['metric']}` on {sweep['inputs']} held-out inputs with each block "
                      f"of ops kept float in turn (all int8: {_fmt(sweep['all_int8'])}). The block that recovers the "
                      f"most is ops {best['ops']} (`{best['first_tensor']}` … `{best['last_tensor']}`: "
                      f"{best['kinds']}), reaching {_fmt(best[sweep['metric']])}.", "",
                      f"| ops | kinds | {sweep['metric']} with this block float |", "| --- | --- | --- |"]
            lines += [f"| {b['ops']} | {b['kinds']} | {_fmt(b[sweep['metric']])} |" for b in sweep["blocks"]]
        if model.get("latency_blocks"):
            lines += ["", "Speed miss: time per block of the rewritten float graph and the int8 graph made from "
                      "it (1 thread, prefix timing):", "", "| ops | kinds | float ms | int8 ms |",
                      "| --- | --- | --- | --- |"]
            lines += [f"| {b['ops']} | {b['kinds']} | {b['float_ms']:.3f} | {b['int8_ms']:.3f} |"
                      for b in model["latency_blocks"]]
        if model.get("latency_kinds"):
            lines += ["", "Speed miss by op kind: every op timed alone as a one-op model (best of 30 invokes, 1 "
                      "thread, each including a few microseconds of invoke overhead), summed per kind; the int8 "
                      "graph's float islands count under their own kind. Kinds whose int8 / float is above 1 are the "
                      "kernels int8 does not speed up on this CPU:", "",
                      "| op kind | float ops | float ms | int8 ops | int8 ms | int8 / float |",
                      "| --- | --- | --- | --- | --- | --- |"]
            lines += [f"| {k['kind']} | {k['float_ops']} | {k['float_ms']:.3f} | {k['int8_ops']} | "
                      f"{k['int8_ms']:.3f} | {'n/a' if k['ratio'] is None else format(k['ratio'], '.2f')} |"
                      for k in model["latency_kinds"]]
        if model.get("notes"):
            lines += ["", *model["notes"]]
    if data.get("notes"):
        lines += ["", "## Notes", "", *data["notes"]]
    return "\n".join(lines) + "\n"
