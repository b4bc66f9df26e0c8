"""SVG charts: well-formed XML, accessible, every text escaped, bars and points matching the data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from printing.charts import ChartData, ChartSeries, format_value, nice_ticks, render_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ["<script>alert(1)</script>", '"onload=alert(1)', "A & B", "it's", "bad\x01char"]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own renderer's output, not untrusted input


def _bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "").split()]


def test_a_bar_chart_has_one_bar_per_value_with_its_label_and_figure() -> None:
    chart = ChartData("Repairs per brand", "bar", ("Bosch", "LG", "Indesit"),
                      (ChartSeries("Orders", (12, 30, 7)),))
    root = _parse(render_chart(chart))
    assert root.get("role") == "img" and root.get("aria-label") == "Repairs per brand"
    assert root.find(f"{SVG}title").text == "Repairs per brand"
    bars = _bars(root)
    assert [float(b.get("data-value")) for b in bars] == [12, 30, 7]
    widths = [float(b.get("width")) for b in bars]
    assert widths[1] > widths[0] > widths[2] > 0  # longer bar, bigger figure
    assert abs(widths[0] / widths[1] - 12 / 30) < 0.01  # drawn to scale from zero
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Bosch", "LG", "Indesit", "12", "30", "7"} <= set(texts)


def test_grouped_bars_and_a_legend_for_several_series() -> None:
    chart = ChartData("Received and issued", "bar", ("MSK", "SPB"),
                      (ChartSeries("Received", (5, 3)), ChartSeries("Issued", (4, None))))
    root = _parse(render_chart(chart))
    bars = _bars(root)
    assert [(b.get("data-series"), float(b.get("data-value"))) for b in bars] == [
        ("Received", 5), ("Issued", 4), ("Received", 3)]
    legend = root.find(f"{SVG}g[@class='legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Received", "Issued"]
    assert "—" in [t.text for t in root.iter(f"{SVG}text")]  # the missing figure is shown as missing


def test_the_axis_has_a_few_round_ticks_and_the_unit() -> None:
    chart = ChartData("Billed", "bar", ("A", "B"), (ChartSeries("Billed", (Decimal("1234.5"), Decimal("880"))),),
                      unit="₽")
    root = _parse(render_chart(chart))
    axis = root.find(f"{SVG}g[@class='axis']")
    ticks = [t.text for t in axis.iter(f"{SVG}text") if t.get("class") != "unit"]
    assert 3 <= len(ticks) <= 7 and ticks[0] == "0"
    assert axis.find(f"{SVG}text[@class='unit']").text == "₽"
    assert "1\u00a0235\u00a0₽" in [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_every_text_is_escaped_and_the_svg_stays_well_formed(kind: str) -> None:
    chart = ChartData('Title <b>"x"</b>', kind, tuple(HOSTILE), (ChartSeries("<i>series</i>", (1, 2, 3, 4, 5)),),
                      unit="<u>")
    svg = render_chart(chart)
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg and "<u>" not in svg
    assert '"onload' not in svg and "\x01" not in svg
    root = _parse(svg)  # parses: every & < > " escaped, the control character dropped
    assert root.find(f"{SVG}title").text == 'Title <b>"x"</b>'
    texts = {t.text for t in root.iter(f"{SVG}text")}
    titles = " ".join(t.text for t in root.iter(f"{SVG}title"))
    for name in HOSTILE:
        clean = name.replace("\x01", "")
        assert clean in texts or clean in titles


def test_no_external_resources() -> None:
    svg = render_chart(ChartData("T", "bar", ("A",), (ChartSeries("S", (1,)),)))
    for bad in ("href", "url(", "<script", "<image", "<foreignObject", "@import", "http://", "https://"):
        assert bad not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_line_chart_over_weeks_has_a_point_per_value_and_gaps_for_missing_ones() -> None:
    weeks = tuple(f"{d:02d}.11" for d in (2, 9, 16, 23, 30))
    chart = ChartData("Median turnaround", "line", weeks,
                      (ChartSeries("To ready", (30.5, 41, None, 28, 33)), ChartSeries("To issued", (50, 60, 55, 52, 61))),
                      unit="h", decimal=",")
    root = _parse(render_chart(chart))
    series = [g for g in root.iter(f"{SVG}g") if "series" in (g.get("class") or "")]
    assert [g.get("data-series") for g in series] == ["To ready", "To issued"]
    points = [[float(c.get("data-value")) for c in g.iter(f"{SVG}circle")] for g in series]
    assert points == [[30.5, 41, 28, 33], [50, 60, 55, 52, 61]]
    first = series[0].find(f"{SVG}path").get("d")
    assert first.count("M") == 2  # the line breaks at the missing week
    higher = [float(c.get("cy")) for c in series[1].iter(f"{SVG}circle")]
    assert higher[1] < higher[0]  # 60 is drawn above 50
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "02.11" in texts and "h" in texts
    assert "30,5\u00a0h" in " ".join(t.text for t in root.iter(f"{SVG}title"))


def test_shares_are_percentages_up_to_100() -> None:
    chart = ChartData("In time", "bar", ("MSK", "SPB"), (ChartSeries("Share", (0.875, 1.0)),), percent=True,
                      decimal=",")
    root = _parse(render_chart(chart))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "87,5%" in texts and "100%" in texts
    ticks = [t.text for t in root.find(f"{SVG}g[@class='axis']").iter(f"{SVG}text") if t.get("class") != "unit"]
    assert ticks[-1] == "100"
    chart = ChartData("In time", "bar", ("MSK",), (ChartSeries("Share", (100,)),), unit="%")
    root = _parse(render_chart(chart))
    assert "100%" in [t.text for t in root.iter(f"{SVG}text")]
    assert [t.text for t in root.find(f"{SVG}g[@class='axis']").iter(f"{SVG}text")][-2] == "100"


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_no_data_is_a_message_not_an_empty_frame(kind: str) -> None:
    root = _parse(render_chart(ChartData("T", kind, (), (), empty_text="No data <here>")))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No data <here>"]
    root = _parse(render_chart(ChartData("T", kind, ("A", "B"), (ChartSeries("S", (None, None)),), empty_text="x")))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["x"]


def test_nice_ticks_and_values() -> None:
    assert nice_ticks(0, 30) == [0, 10, 20, 30]
    assert nice_ticks(0, 7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1]
    assert nice_ticks(0, 1, whole=True) == [0, 1] and nice_ticks(0, 10, whole=True) == [0, 2, 4, 6, 8, 10]
    chart = ChartData("T", "bar", (), (), unit="h", decimal=",")
    assert format_value(12345, chart) == "12\u00a0345\u00a0h" and format_value(1.25, chart, False) == "1,3"
    assert format_value(None, chart) == "—"
