"""Charts as inline SVG text: bars by category, lines over weeks. Data in, SVG out.

The page puts the SVG straight into its HTML, so every piece of text (a brand called `<script>`, a
center named `"onload=`) is escaped here, characters XML cannot hold are dropped, and nothing
outside the document is referenced (no fonts, images or scripts). Colours are presentation
attributes that the stylesheet may override through the classes (`chart`, `bar`, `s0`…`s5`, `axis`).
Each bar and each point carries its figure in `data-value` and a `<title>` a pointer shows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Number = int | float | Decimal

PALETTE = ("#1f5fbf", "#e08a1e", "#1c7c3c", "#8e44ad", "#b3261e", "#5b6475")
WIDTH = 640
FONT = 12
CHAR_W = 6.6  # an average glyph's width at FONT px: enough to size label columns without font metrics
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: tuple[Number | None, ...]


@dataclass(frozen=True)
class ChartData:
    """One chart: `kind` "bar" (one row per label) or "line" (labels are the x axis, e.g. weeks).

    `unit` is shown on the axis and after each value ("h", "₽", "%": values 0..100); `percent` means the
    values are shares 0..1 shown as percentages. `decimal` is the decimal separator of the reader's language.
    """

    title: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit: str = ""
    percent: bool = False
    decimal: str = ","
    empty_text: str = "No data"
    description: str = ""


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text))


def esc(text: object) -> str:
    """Text, escaped for XML and for the HTML the SVG sits in: fit for content and quoted attributes."""
    return (_clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


attr = esc


def _num(value: float) -> str:
    """A coordinate: short, no exponent."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def format_value(value: Number | None, chart: ChartData, with_unit: bool = True) -> str:
    """A figure as the chart prints it: grouped thousands, one decimal where it has one, the unit."""
    if value is None:
        return "—"
    v = Decimal(str(value)) * (100 if chart.percent else 1)
    tenths = v.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if tenths == tenths.to_integral_value() or abs(v) >= 1000:
        text = f"{int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}".replace(",", "\u00a0")
    else:
        text = f"{tenths}".replace(".", chart.decimal)
    unit = "%" if chart.percent else chart.unit
    if not with_unit or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text}\u00a0{unit}"


def tick_text(value: float, chart: ChartData) -> str:
    """An axis tick: grouped thousands, as many decimals as the step needs (0.25, 2.5), no unit."""
    v = Decimal(str(round(value * (100 if chart.percent else 1), 6))).normalize()
    if v == v.to_integral_value():
        return f"{int(v):,}".replace(",", "\u00a0")
    return f"{v:f}".replace(".", chart.decimal)


def nice_ticks(lo: float, hi: float, count: int = 5, whole: bool = False) -> list[float]:
    """Round axis ticks covering [lo, hi]: steps of 1, 2, 2.5 or 5 times a power of ten (whole steps
    only when `whole`: counts of orders have no quarter ticks)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = 1.0 if step < 1 else 2.0 if step == 2.5 else step
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t < hi + step * 0.999:
        ticks.append(round(t, 10))
        if t >= hi:
            break
        t += step
    return ticks


def _whole(chart: ChartData) -> bool:
    """Every figure is a whole number (a count): the axis steps by whole numbers too."""
    return not chart.percent and all(isinstance(v, int) for s in chart.series for v in s.values if v is not None)


def _values(chart: ChartData) -> list[float]:
    return [float(v) for s in chart.series for v in s.values if v is not None]


def _open(chart: ChartData, height: float) -> list[str]:
    label = chart.title if not chart.description else f"{chart.title}. {chart.description}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{attr(chart.kind)}" role="img" '
        f'aria-label="{attr(label)}" viewBox="0 0 {WIDTH} {_num(height)}" width="{WIDTH}" '
        f'height="{_num(height)}" font-family="system-ui, sans-serif" font-size="{FONT}">',
        f"<title>{esc(chart.title)}</title>",
        *([f"<desc>{esc(chart.description)}</desc>"] if chart.description else []),
    ]


def _empty(chart: ChartData) -> str:
    parts = _open(chart, 60)
    parts.append(f'<text class="empty" x="{WIDTH / 2}" y="34" text-anchor="middle" fill="#5b6475">'
                 f"{esc(chart.empty_text)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _legend(chart: ChartData, y: float) -> list[str]:
    """One swatch and name per series, left to right (only when there is more than one)."""
    if len(chart.series) < 2:
        return []
    out, x = [f'<g class="legend" transform="translate(0,{_num(y)})">'], 8.0
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect class="swatch s{i % len(PALETTE)}" x="{_num(x)}" y="0" width="10" height="10" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{_num(x + 14)}" y="9">{esc(s.name)}</text>')
        x += 14 + CHAR_W * len(s.name) + 18
    out.append("</g>")
    return out


def _cap(chart: ChartData) -> float | None:
    return 1.0 if chart.percent else 100.0 if chart.unit == "%" else None


def _axis_label(chart: ChartData) -> str:
    return "%" if chart.percent else chart.unit


def _shorten(text: str, width: float) -> str:
    most = max(3, int(width / CHAR_W))
    return text if len(text) <= most else text[: most - 1] + "…"


def render_bar_chart(chart: ChartData) -> str:
    """Horizontal bars, one row per label (one bar per series in it), the value at the bar's end."""
    values = _values(chart)
    if not chart.labels or not values:
        return _empty(chart)
    n_series = max(1, len(chart.series))
    bar_h = 16 if n_series == 1 else max(8, 22 // n_series + 2)
    row_h = bar_h * n_series + 8
    label_w = min(220.0, max(60.0, CHAR_W * max(len(label) for label in chart.labels) + 10))
    legend_h = 22 if n_series > 1 else 0
    top = 8 + legend_h
    plot_x0, plot_x1 = label_w + 8, WIDTH - 70  # room for the value text after the longest bar
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values), 5, whole=_whole(chart))
    lo, hi = ticks[0], ticks[-1]
    if (cap := _cap(chart)) and hi > cap >= max(values):  # a share's axis ends at 100%
        hi = cap
        ticks = [t for t in ticks if t <= cap]

    def x(v: float) -> float:
        return plot_x0 + (v - lo) / (hi - lo) * (plot_x1 - plot_x0)

    plot_h = row_h * len(chart.labels)
    height = top + plot_h + 30
    parts = _open(chart, height)
    parts += _legend(chart, 6)
    # grid and axis
    parts.append('<g class="axis" fill="#5b6475">')
    for t in ticks:
        tx = x(t)
        parts.append(f'<line x1="{_num(tx)}" y1="{_num(top)}" x2="{_num(tx)}" y2="{_num(top + plot_h)}" '
                     f'stroke="#d9dde5" stroke-width="1"/>')
        parts.append(f'<text x="{_num(tx)}" y="{_num(top + plot_h + 14)}" text-anchor="middle">'
                     f"{esc(tick_text(t, chart))}</text>")
    if unit := _axis_label(chart):
        after = x(ticks[-1]) + CHAR_W * len(tick_text(ticks[-1], chart)) / 2 + 6
        parts.append(f'<text class="unit" x="{_num(after)}" y="{_num(top + plot_h + 14)}">{esc(unit)}</text>')
    parts.append("</g>")
    zero = x(0.0)
    for row, label in enumerate(chart.labels):
        y0 = top + row * row_h + 4
        parts.append(f'<g class="row" data-label="{attr(label)}">')
        parts.append(f'<text class="label" x="{_num(label_w)}" y="{_num(y0 + row_h / 2)}" text-anchor="end" '
                     f'fill="#1d2330">{esc(_shorten(label, label_w))}</text>')
        for i, s in enumerate(chart.series):
            value = s.values[row] if row < len(s.values) else None
            by = y0 + i * bar_h
            text = format_value(value, chart)
            name = f"{label} · {s.name}: {text}" if n_series > 1 else f"{label}: {text}"
            if value is None:
                parts.append(f'<text class="value none" x="{_num(zero + 4)}" y="{_num(by + bar_h - 4)}" '
                             f'fill="#5b6475">—</text>')
                continue
            v = float(value)
            left, right = sorted((zero, x(v)))
            colour = PALETTE[i % len(PALETTE)]
            parts.append(f'<rect class="bar s{i % len(PALETTE)}" x="{_num(left)}" y="{_num(by)}" '
                         f'width="{_num(max(right - left, 1 if v else 0))}" height="{bar_h - 2}" fill="{colour}" '
                         f'data-value="{attr(value)}" data-series="{attr(s.name)}"><title>{esc(name)}</title></rect>')
            parts.append(f'<text class="value" x="{_num(right + 4)}" y="{_num(by + bar_h - 5)}" fill="#1d2330">'
                         f"{esc(text)}</text>")
        parts.append("</g>")
    parts.append(f'<line class="baseline" x1="{_num(zero)}" y1="{_num(top)}" x2="{_num(zero)}" '
                 f'y2="{_num(top + plot_h)}" stroke="#5b6475" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_line_chart(chart: ChartData) -> str:
    """One line per series over the labels (weeks); a gap where a value is missing."""
    values = _values(chart)
    if not chart.labels or not values:
        return _empty(chart)
    legend_h = 22 if len(chart.series) > 1 else 0
    height = 250 + legend_h
    top, bottom = 24 + legend_h, height - 34
    left, right = 56.0, WIDTH - 16.0
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values), 5, whole=_whole(chart))
    lo, hi = ticks[0], ticks[-1]
    if (cap := _cap(chart)) and hi > cap >= max(values):  # a share's axis ends at 100%
        hi = cap
        ticks = [t for t in ticks if t <= cap]
    n = len(chart.labels)

    def x(i: int) -> float:
        return left + (right - left) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    parts = _open(chart, height)
    parts += _legend(chart, 4)
    parts.append('<g class="axis" fill="#5b6475">')
    for t in ticks:
        ty = y(t)
        parts.append(f'<line x1="{_num(left)}" y1="{_num(ty)}" x2="{_num(right)}" y2="{_num(ty)}" '
                     f'stroke="#d9dde5" stroke-width="1"/>')
        parts.append(f'<text x="{_num(left - 6)}" y="{_num(ty + 4)}" text-anchor="end">'
                     f"{esc(tick_text(t, chart))}</text>")
    if unit := _axis_label(chart):
        parts.append(f'<text class="unit" x="{_num(left - 6)}" y="{_num(top - 10)}" text-anchor="end">'
                     f"{esc(unit)}</text>")
    every = max(1, math.ceil(n / 8))  # at most about eight labels under the axis
    for i, label in enumerate(chart.labels):
        if i % every == 0:
            parts.append(f'<text x="{_num(x(i))}" y="{_num(bottom + 16)}" text-anchor="middle">{esc(label)}</text>')
    parts.append(f'<line x1="{_num(left)}" y1="{_num(bottom)}" x2="{_num(right)}" y2="{_num(bottom)}" '
                 f'stroke="#5b6475" stroke-width="1"/>')
    parts.append("</g>")
    for i, s in enumerate(chart.series):
        colour, cls = PALETTE[i % len(PALETTE)], f"s{i % len(PALETTE)}"
        path, pen_down = [], False
        for j, value in enumerate(s.values[:n]):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_num(x(j))} {_num(y(float(value)))}")
            pen_down = True
        parts.append(f'<g class="series {cls}" data-series="{attr(s.name)}">')
        if path:
            parts.append(f'<path class="line {cls}" d="{" ".join(path)}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"/>')
        for j, value in enumerate(s.values[:n]):
            if value is None:
                continue
            tip = f"{chart.labels[j]} · {s.name}: {format_value(value, chart)}"
            parts.append(f'<circle class="point {cls}" cx="{_num(x(j))}" cy="{_num(y(float(value)))}" r="3" '
                         f'fill="{colour}" data-value="{attr(value)}"><title>{esc(tip)}</title></circle>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def render_chart(chart: ChartData) -> str:
    """The chart as an `<svg>` element (text), by its kind."""
    return render_line_chart(chart) if chart.kind == "line" else render_bar_chart(chart)
