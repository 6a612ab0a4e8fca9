"""REPORT.md from the report's JSON data: one summary table, then one section per model."""

from __future__ import annotations

from typing import Any

from tools.modelfactory import fp16


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _count(value: int | None) -> str:
    return f"{value:,}" if value else "n/a"


def _core_of(cpu_class: str) -> str | None:
    from tools.modelfactory.variants import COUNTED_ON

    return COUNTED_ON.get(cpu_class)


def small_faces(far: dict[str, Any]) -> list[str]:
    """The far-faces section: recall against where the face is, per detector and face width."""
    bands = [k for k in far["rows"][0] if k.endswith(" px")] if far["rows"] else []
    low, high = far["width_px"]
    lines = ["", f"## Far faces ({low:g}-{high:g} px wide)", "",
             f"The {far['faces']} held-out scenes drawn again with the face {low:g}-{high:g} px wide in the 640x480 "
             "frame (a guest 1-4 m from a wide-angle camera). Found: a detection centred within half a face width "
             "of the face, its width within a factor of 2; recall is against where the face is. The scan is the "
             f"app's (`magicbooth.perception.regions`): the whole frame, then each tile, {far['regions']} regions "
             "at 640x480, one per detection while no face is tracked. False: detections elsewhere, per scene and "
             "pass over the regions.", "",
             "| detector | looks at | found | recall | " + " | ".join(bands) + " | false per scene |",
             "| --- | --- | --- | --- | " + " | ".join("---" for _ in bands) + " | --- |"]
    for row in far["rows"]:
        lines.append(f"| {row['detector']} | {row['regions']} | {row['found']}/{row['faces']} | "
                     f"{row['recall']:.3f} | " + " | ".join(row[b] for b in bands) +
                     f" | {row['false_per_scene']:.2f} |")
    auto, agree = far["auto"], far["int8_against_float"]
    lines += ["", f"`[perception] detector = auto` (short range on the whole frame, the full-range scan when it "
              f"finds nothing) finds {auto['found']}/{auto['faces']}. Int8 against float: of the "
              f"{agree['reference_found']} faces the float full-range scan finds, the int8 one finds {agree['both']} "
              f"(recall {agree['recall']:.3f}), and {agree['candidate_only']} the float one missed."]
    return lines


def markdown(data: dict[str, Any]) -> str:
    lines = ["# int8 model validation report", "",
             f"Written by `{data['command']}`; the same numbers are in `REPORT.json`.", "",
             f"Machine: {data['machine']['cpu']}, {data['machine']['cores']} cores, Python "
             f"{data['machine']['python']}, ai-edge-litert {data['machine']['ai_edge_litert']}. "
             "The machine is shared, so only ratios measured side by side in one run mean much.", "",
             f"Held-out set: {data['held_out']['scenes']} scenes on backgrounds never used for calibration "
             f"({', '.join(data['held_out']['backgrounds'])}); int8 is compared with the float reference "
             "beside it (the full-range detector also sees each scene again with its face 24-48 px wide, whole "
             "and as the scan tile that holds the face). Latency: median of "
             f"{data['latency_invokes']} invokes per variant and thread count, float and int8 alternating in "
             "rounds." + (f" This report was merged: {data['merged']}." if data.get("merged") else ""), "",
             "## Summary", "",
             "Each int8 graph is held to the accuracy targets; each CPU class's graph to its ARM instruction "
             "target on its own core (no int8 dot product: Cortex-A72, Pi 4; with it: Cortex-A76, Pi 5); the "
             "graph x86-64 loads to the x86 latency target.", "",
             "| model | graph (CPU classes) | target | measured | met |", "| --- | --- | --- | --- | --- |"]
    for name, model in data["models"].items():
        for check in model["targets"]:
            lines.append(f"| {name} | {check['graph']} | {check['target']} | {_fmt(check['measured'])} | "
                         f"{'yes' if check['met'] else '**no**'} |")
    for name, model in data["models"].items():
        graphs = model["graphs"]
        lines += ["", f"## {name}", "", "Int8 graphs (what each keeps float32):", ""]
        lines += [f"- `{key}` for {', '.join(g['cpus'])}: {g['quantization'].split(': weights')[0]}."
                  for key, g in graphs.items()]
        if model.get("arm_instructions"):
            lines += ["", "ARM instructions per invoke (1 thread, emulated; a stand-in for Pi speed, not a time). "
                      "The graph each core's class loads is in bold:", "",
                      "| core | float | float, fp16 hint | " + " | ".join(f"`{k}` | int8 / float" for k in graphs)
                      + " |", "| --- | --- | --- | " + " | ".join("--- | ---" for _ in graphs) + " |"]
            for core, counts in model["arm_instructions"].items():
                hinted, f = counts.get("float_fp16"), counts.get("float")
                cells = [core, _count(f), f"{_count(hinted)} ({hinted / f:.3f})" if hinted and f else "same"]
                for key, g in graphs.items():
                    q, f = counts.get(key), counts.get("float")
                    ratio = f"{q / f:.3f}" if q and f else "n/a"
                    mine = any(_core_of(c) == core for c in g["cpus"])
                    cells += [_count(q), f"**{ratio}**" if mine else ratio]
                lines.append("| " + " | ".join(cells) + " |")
        columns = [(f"`{k}`", g["accuracy"]) for k, g in graphs.items()]
        columns += [(f"`{k}` on {core}", found) for k, g in graphs.items()
                    for core, found in (g.get("accuracy_on") or {}).items()]
        lines += ["", "Accuracy, int8 against float, on the held-out set (on this x86; \"on\" a core: run in the "
                  "arm64 emulation of that core, where the fp16 hint makes the float islands fp16):", "",
                  "| metric | " + " | ".join(title for title, _ in columns) + " |",
                  "| --- | " + " | ".join("---" for _ in columns) + " |"]
        metrics = list(next(iter(graphs.values()))["accuracy"])
        lines += ["| " + " | ".join([m, *[_fmt(found[m]) for _, found in columns]]) + " |" for m in metrics]
        lines += ["", f"Latency on this {data['machine']['cpu']}:", "",
                  "| graph | threads | float ms | int8 ms | int8 / float |", "| --- | --- | --- | --- | --- |"]
        for key, g in graphs.items():
            for threads, t in g["latency"].items():
                if threads.isdigit():
                    lines.append(f"| `{key}` | {threads} | {t['float_ms']:.3f} | {t['int8_ms']:.3f} | "
                                 f"{t['ratio']:.2f} |")
        lines += ["", "| graph | XNNPACK partitions | ops delegated | ops on default kernels |",
                  "| --- | --- | --- | --- |"]
        for key, a in [*((k, g["acceleration"]) for k, g in graphs.items()), ("float", model["float_acceleration"])]:
            lines.append(f"| `{key}` | {a['partitions']} | {a['delegated_ops']} | "
                         f"{', '.join(a['ops_outside']) or 'none'} |")
        for core, kinds in (model.get("arm_kinds") or {}).items():
            lines += ["", f"Where the instructions go on {core}, graph `{kinds['graph']}`: every op of the float "
                      "graph counted alone in float and in int8 (M instructions, net of the invoke's own cost), "
                      "summed per kind; the last columns are this graph: its ops of the kind kept float, and what "
                      "the kind costs in it. Kinds whose int8 / float is above 1 do not pay in int8 on this core"
                      + (" (float ops counted with the fp16 hint, as they run here)"
                         if core in fp16.CORES and kinds.get("hinted", True) else "")
                      + ":",
                      "", "| op kind | ops | float | int8 | int8 / float | kept float | in this graph |",
                      "| --- | --- | --- | --- | --- | --- | --- |"]
            for row in kinds["rows"]:
                int8 = "no int8 kernel" if row["int8_missing"] == row["ops"] and row["ops"] else (
                    f"{row['int8'] / 1e6:.2f}" + (f" (+{row['int8_missing']} without)" if row["int8_missing"] else ""))
                ratio = "n/a" if row["ratio"] is None else f"{row['ratio']:.2f}"
                lines.append(f"| {row['kind']} | {row['ops'] or ''} | {row['float'] / 1e6:.2f} | {int8} | {ratio} | "
                             f"{row['kept_float'] if row['ops'] else ''} | {row['in_graph'] / 1e6:.2f} |")
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
            lines += ["", f"Speed miss: time per block of the rewritten float graph and the int8 graph "
                      f"`{model.get('latency_graph', 'int8')}` made from it (1 thread, prefix timing):", "",
                      "| ops | kinds | float ms | int8 ms |", "| --- | --- | --- | --- |"]
            lines += [f"| {b['ops']} | {b['kinds']} | {b['float_ms']:.3f} | {b['int8_ms']:.3f} |"
                      for b in model["latency_blocks"]]
        if model.get("latency_kinds"):
            lines += ["", f"Speed miss by op kind (graph `{model.get('latency_graph', 'int8')}`): every op timed "
                      "alone as a one-op model (best of 30 invokes, 1 thread, each including a few microseconds of "
                      "invoke overhead), summed per kind; the int8 "
                      "graph's float islands count under their own kind. Kinds whose int8 / float is above 1 are the "
                      "kernels int8 does not speed up on this CPU:", "",
                      "| op kind | float ops | float ms | int8 ops | int8 ms | int8 / float |",
                      "| --- | --- | --- | --- | --- | --- |"]
            lines += [f"| {k['kind']} | {k['float_ops']} | {k['float_ms']:.3f} | {k['int8_ops']} | "
                      f"{k['int8_ms']:.3f} | {'n/a' if k['ratio'] is None else format(k['ratio'], '.2f')} |"
                      for k in model["latency_kinds"]]
        if model.get("notes"):
            lines += ["", *model["notes"]]
    if data.get("small_faces"):
        lines += small_faces(data["small_faces"])
    if data.get("notes"):
        lines += ["", "## Notes", "", *data["notes"]]
    return "\n".join(lines) + "\n"
