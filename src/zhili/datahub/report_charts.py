"""The report's charts as SVG strings: a line of the last periods and a bar ranking of the peers.

Written by hand so they are small, deterministic (the same data gives the
same bytes) and drawn identically by a browser and by WeasyPrint. Sizes are
CSS pixels; text is Noto Sans SC, the font the PDF embeds. WeasyPrint lays out
SVG text letter by letter, so the charts carry few words: titles and notes go
in the page around them.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

FONT = "'Noto Sans SC', sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
LINE = "#1d4ed8"
BAR = "#9db4d6"
HIGHLIGHT = "#d9480f"


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _num(x: float) -> str:
    """Coordinates with one decimal and no trailing zeros: stable bytes."""
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def text_width(text: str, size: float) -> float:
    """An estimate: CJK characters are one em wide, digits and Latin about 0.56 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: 0, 250, 500 … (1, 2, 2.5 or 5 × 10ⁿ apart)."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks = [round(start, 10)]
    while ticks[-1] < hi - 1e-9 * step:
        ticks.append(round(start + len(ticks) * step, 10))
    return ticks


def _decimals(step: float) -> int:
    d = 0
    while d < 6 and abs(step * 10**d - round(step * 10**d)) > 1e-6:
        d += 1
    return d


def tick_label(value: float, ticks: list[float]) -> str:
    """Tick labels with as many decimals as the step needs; 万 for big round numbers."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    if max(abs(t) for t in ticks) >= 100_000 and step >= 1_000:
        return f"{value / 10_000:,.{_decimals(step / 10_000)}f}万"
    return f"{value:,.{_decimals(step)}f}"


def _svg(width: int, height: int, body: list[str], label: str, font: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(label)}" '
        f'font-family="{_attr(font)}" font-size="10" fill="{INK}">' + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 10,
    fill: str = MUTED,
    weight: str = "",
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{bold}>{escape(text)}</text>'
    )


def _period_ticks(periods: list[str]) -> list[tuple[int, str, str]]:
    """(index, first line, second line) for the x axis: months every few, the year when it changes."""
    n = len(periods)
    every = 1 if n <= 8 else 3 if n <= 18 else 6
    out: list[tuple[int, str, str]] = []
    last_year = ""
    for i in range(n - 1, -1, -every):
        out.append((i, "", ""))
    out.reverse()
    labelled = []
    for i, _, _ in out:
        p = periods[i]
        year = p[:4]
        if len(p) == 4:
            first, second = f"{p}年", ""
        elif "Q" in p:
            first, second = f"{p[5]}季度", ""
        else:
            first, second = f"{int(p[5:7])}月", ""
        if len(p) > 4 and year != last_year:
            second = f"{year}年"
        last_year = year
        labelled.append((i, first, second))
    return labelled


def line_chart(
    *,
    periods: list[str],
    values: list[float | None],
    unit: str,
    decimals: int,
    label: str,
    width: int = 320,
    height: int = 200,
    font: str = FONT,
) -> str:
    """The last periods of one indicator: a line with its points, the last one labelled."""
    # Leading periods without data (a young dataset) are left off.
    start = next((i for i, v in enumerate(values) if v is not None), len(values))
    periods, values = periods[start:], values[start:]
    present = [v for v in values if v is not None]
    last = "" if not values or values[-1] is None else f"{values[-1]:,.{decimals}f}"
    # The last value is written right of its point, in a margin of its own, clear of the line.
    left, right, top, bottom = 50, 14 + (text_width(last, 10) + 8 if last else 0), 26, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    body = [_text(left - 6, 13, f"单位：{unit or '无'}", anchor="start", size=10)]
    if not present:
        body.append(_text(width / 2, top + plot_h / 2, "暂无数据", anchor="middle", size=12))
        return _svg(width, height, body, label, font)
    ticks = nice_ticks(min(present), max(present))
    lo, hi = ticks[0], ticks[-1]
    n = len(periods)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    for t in ticks:
        y = y_at(t)
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 3.5, tick_label(t, ticks), anchor="end", size=9))
    axis_y = top + plot_h
    body.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" stroke="{MUTED}" stroke-width="1"/>'
    )
    for i, first, second in _period_ticks(periods):
        x = x_at(i)
        body.append(
            f'<line x1="{_num(x)}" y1="{axis_y}" x2="{_num(x)}" y2="{axis_y + 4}" stroke="{MUTED}" stroke-width="1"/>'
        )
        body.append(_text(x, axis_y + 15, first, anchor="middle", size=9))
        if second:
            body.append(_text(x, axis_y + 27, second, anchor="middle", size=9))
    # The line breaks where a period has no value.
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((x_at(i), y_at(v)))
    for run in runs:
        if len(run) > 1:
            area = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
            base = f"{_num(run[-1][0])},{_num(axis_y)} {_num(run[0][0])},{_num(axis_y)}"
            body.append(f'<polygon points="{area} {base}" fill="{LINE}" fill-opacity="0.07"/>')
            body.append(
                f'<polyline points="{area}" fill="none" stroke="{LINE}" stroke-width="2" stroke-linejoin="round"/>'
            )
        elif run:  # a lone value between gaps: a dot, or it would not show
            x, y = run[0]
            body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2" fill="{LINE}"/>')
    if last:
        x, y = x_at(n - 1), y_at(values[-1] or 0.0)
        body.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{HIGHLIGHT}" stroke="#fff" stroke-width="1.5"/>'
        )
        body.append(_text(x + 7, y + 3.5, last, size=10, fill=HIGHLIGHT, weight="bold"))
    return _svg(width, height, body, label, font)


def bar_chart(
    *,
    items: list[tuple[str, float, bool]],
    unit: str,
    decimals: int,
    label: str,
    width: int = 320,
    font: str = FONT,
) -> str:
    """Horizontal bars, best first, the report's own division highlighted. ``items``: (name, value, own)."""
    row, gap = 15, 4
    label_w = max([text_width(name, 10) for name, _, _ in items] + [24]) + 8
    value_w = max([text_width(f"{v:,.{decimals}f}", 9) for _, v, _ in items] + [20]) + 6
    left, right, top, bottom = label_w + 4, value_w, 24, 20
    height = int(top + bottom + max(len(items), 1) * (row + gap))
    plot_w = width - left - right
    body = [_text(4, 13, f"单位：{unit or '无'}", size=10)]
    if not items:
        body.append(_text(width / 2, top + 12, "暂无数据", anchor="middle", size=12))
        return _svg(width, height, body, label, font)
    values = [v for _, v, _ in items]
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]), count=4)
    lo, hi = ticks[0], ticks[-1]

    def x_at(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    plot_bottom = top + len(items) * (row + gap)
    for t in ticks:
        x = x_at(t)
        body.append(
            f'<line x1="{_num(x)}" y1="{top - 4}" x2="{_num(x)}" y2="{_num(plot_bottom)}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(x, plot_bottom + 13, tick_label(t, ticks), anchor="middle", size=9))
    zero = x_at(0.0)
    for i, (name, value, own) in enumerate(items):
        y = top + i * (row + gap)
        x0, x1 = sorted((zero, x_at(value)))
        colour = HIGHLIGHT if own else BAR
        weight = "bold" if own else ""
        body.append(
            _text(
                left - 6,
                y + row - 3.5,
                name,
                anchor="end",
                size=10,
                fill=INK if own else MUTED,
                weight=weight,
            )
        )
        body.append(
            f'<rect x="{_num(x0)}" y="{_num(y)}" width="{_num(max(x1 - x0, 0.5))}" height="{row}" fill="{colour}" rx="1.5"/>'
        )
        body.append(
            _text(
                x1 + 4,
                y + row - 3.5,
                f"{value:,.{decimals}f}",
                size=9,
                fill=INK if own else MUTED,
                weight=weight,
            )
        )
    body.append(
        f'<line x1="{_num(zero)}" y1="{top - 4}" x2="{_num(zero)}" y2="{_num(plot_bottom)}" stroke="{MUTED}" stroke-width="1"/>'
    )
    return _svg(width, height, body, label, font)
