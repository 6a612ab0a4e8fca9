"""Tiny inline SVG charts for the HTML report: histogram, horizontal bars, line over time.

Hand-made so the report is one file that opens offline: no script, no
stylesheet or font from the network.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

W, H = 560, 220
PAD_L, PAD_R, PAD_T, PAD_B = 52, 14, 26, 34
INK, GRID, BAR, MARK, WARN = "#222", "#ddd", "#4a7bd0", "#d9822b", "#c0392b"


def _frame(title: str, width: int, height: int, body: list[str], css_class: str) -> str:
    return (f'<svg class="chart {css_class}" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
            f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" font-size="13" fill="{INK}">{escape(title)}</text>'
            + "".join(body) + "</svg>")


def _nice_step(span: float, ticks: int = 5) -> float:
    if span <= 0:
        return 1.0
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:.3g}"


def histogram(samples: Sequence[float], title: str, unit: str = "ms", *, bins: int = 30,
              limit: float | None = None) -> str:
    """Counts of ``samples`` in equal bins, with an optional budget line at ``limit``."""
    if not samples:
        return _frame(title, W, 60, [f'<text x="{PAD_L}" y="44" font-size="12">no samples</text>'], "histogram")
    ordered = sorted(samples)
    lo, hi = ordered[0], ordered[-1]
    tail = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1.25
    clipped = hi > tail > lo  # a few far outliers would squash the rest into one bin: pile them in the last
    if clipped:
        hi = tail
    if limit is not None and limit > hi and limit < hi * 3:
        hi = limit
    hi = hi if hi > lo else lo + 1.0
    width = (hi - lo) / bins
    counts = [0] * bins
    for s in samples:
        counts[min(bins - 1, int((s - lo) / width))] += 1
    top = max(counts)
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    body = [f'<line x1="{PAD_L}" y1="{PAD_T + ph}" x2="{PAD_L + pw}" y2="{PAD_T + ph}" stroke="{INK}"/>']
    for i, c in enumerate(counts):
        if c:
            bh = ph * c / top
            x = PAD_L + pw * i / bins
            body.append(f'<rect class="bin" x="{x:.1f}" y="{PAD_T + ph - bh:.1f}" width="{max(pw / bins - 1, 1):.1f}" '
                        f'height="{bh:.1f}" fill="{BAR}"><title>{_fmt(lo + i * width)}–{_fmt(lo + (i + 1) * width)} '
                        f'{unit}: {c}</title></rect>')
    step = _nice_step(hi - lo)
    tick = math.ceil(lo / step) * step
    while tick <= hi + 1e-9:
        x = PAD_L + pw * (tick - lo) / (hi - lo)
        body.append(f'<text x="{x:.1f}" y="{H - PAD_B + 14}" text-anchor="middle" font-size="10">{_fmt(tick)}</text>')
        tick += step
    more = sum(1 for s in samples if s > hi)
    body.append(f'<text x="{PAD_L + pw / 2:.0f}" y="{H - 6}" text-anchor="middle" font-size="11">{escape(unit)} '
                f'(n={len(samples)}' + (f"; {more} above {_fmt(hi)} {escape(unit)} in the last bar" if more else "")
                + ")</text>")
    body.append(f'<text x="{PAD_L - 6}" y="{PAD_T + 8}" text-anchor="end" font-size="10">{top}</text>')
    if limit is not None and lo <= limit <= hi:
        x = PAD_L + pw * (limit - lo) / (hi - lo)
        body.append(f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{PAD_T + ph}" stroke="{WARN}" '
                    f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{PAD_T + 10}" font-size="10" fill="{WARN}">'
                    f'budget {_fmt(limit)}</text>')
    return _frame(title, W, H, body, "histogram")


def bars(rows: Sequence[tuple[str, float | None, float | None]], title: str, unit: str = "ms", *,
         limit: float | None = None) -> str:
    """One horizontal bar per (label, median, p90); ``None`` draws a "not measured" row."""
    row_h, label_w = 20, 210
    height = PAD_T + row_h * max(len(rows), 1) + 30
    values = [v for _, m, p in rows for v in (m, p) if v is not None]
    top = max([*values, limit or 0.0, 1e-9])
    pw = W + 140 - label_w - PAD_R - 60
    body = []
    for i, (label, median, p90) in enumerate(rows):
        y = PAD_T + i * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="11">{escape(label)}</text>')
        if median is None:
            body.append(f'<text class="not-measured" x="{label_w + 4}" y="{y + 14}" font-size="11" fill="#888">'
                        "not measured</text>")
            continue
        bw = max(pw * median / top, 1)
        body.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{bw:.1f}" height="{row_h - 6}" '
                    f'fill="{BAR}"><title>{escape(label)}: median {median:.3g} {unit}</title></rect>')
        if p90 is not None:
            px = label_w + pw * p90 / top
            body.append(f'<line x1="{px:.1f}" y1="{y + 2}" x2="{px:.1f}" y2="{y + row_h - 2}" stroke="{MARK}" '
                        'stroke-width="2"/>')
        body.append(f'<text x="{label_w + bw + 4:.1f}" y="{y + 14}" font-size="10">{median:.3g}'
                    + (f" / p90 {p90:.3g}" if p90 is not None else "") + f" {unit}</text>")
    if limit is not None:
        x = label_w + pw * limit / top
        body.append(f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{height - 26}" stroke="{WARN}" '
                    f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{height - 12}" text-anchor="middle" '
                    f'font-size="10" fill="{WARN}">budget {_fmt(limit)} {unit}</text>')
    return _frame(title, W + 140, height, body, "bars")


def line(points: Sequence[tuple[float, float | None]], title: str, unit: str, *, color: str = BAR) -> str:
    """A value over time in seconds; gaps where it was not read."""
    have = [(t, v) for t, v in points if v is not None]
    if not have:
        return _frame(title, W, 60, [f'<text x="{PAD_L}" y="44" font-size="12" class="not-measured">not measured on '
                                     "this machine</text>"], "line")
    t0, t1 = min(t for t, _ in have), max(t for t, _ in have)
    v0, v1 = min(v for _, v in have), max(v for _, v in have)
    if v1 - v0 < 1e-9:
        v0, v1 = v0 - 1, v1 + 1
    t1 = t1 if t1 > t0 else t0 + 1
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def xy(t: float, v: float) -> str:
        return f"{PAD_L + pw * (t - t0) / (t1 - t0):.1f},{PAD_T + ph - ph * (v - v0) / (v1 - v0):.1f}"

    body = [f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="{GRID}"/>',
            f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" '
            f'points="{" ".join(xy(t, v) for t, v in have)}"/>',
            f'<text x="{PAD_L - 6}" y="{PAD_T + 8}" text-anchor="end" font-size="10">{_fmt(v1)}</text>',
            f'<text x="{PAD_L - 6}" y="{PAD_T + ph}" text-anchor="end" font-size="10">{_fmt(v0)}</text>',
            f'<text x="{PAD_L}" y="{H - PAD_B + 14}" font-size="10">{_fmt(t0)} s</text>',
            f'<text x="{PAD_L + pw}" y="{H - PAD_B + 14}" text-anchor="end" font-size="10">{_fmt(t1)} s</text>',
            f'<text x="{PAD_L + pw / 2:.0f}" y="{H - 6}" text-anchor="middle" font-size="11">{escape(unit)} over '
            "time</text>"]
    return _frame(title, W, H, body, "line")
