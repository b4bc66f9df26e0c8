"""A report as the page, the CSV and the XLSX show it: translated titles, formatted figures, drill links,
charts as SVG.

Report titles, column labels and notes are English msgids (translated here); cells hold plain values
formatted by their column's kind (share cells 0..1). A chart whose unit is "%" carries percentages 0..100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import format_currency, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from printing.charts import ChartData, ChartSeries, render_chart
from printing.csv_export import to_csv
from printing.xlsx_export import SheetTable, render_xlsx
from servicecenter.reports.base import Cell, Chart, Report, ReportFilter, Table

NUMERIC = {"int", "money", "share", "hours", "days"}


def tr(msgid: object) -> str:
    """A msgid (or a proper name, which stays as it is) in the user's language."""
    text = str(msgid) if msgid is not None else ""
    return _(text) if text else ""


def cell_text(value: Any, kind: str) -> str:
    """A figure as the page shows it."""
    if value is None:
        return "—"
    if kind == "money":
        return format_currency(value, "RUB")
    if kind == "share":
        return format_percent(value, "#,##0.0%")
    if kind == "hours":
        return _("%(num)s h", num=format_decimal(round(float(value), 1)))
    if kind == "days":
        return _("%(num)s d", num=format_decimal(round(float(value), 1)))
    if kind == "int" and isinstance(value, int | float | Decimal):
        return format_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    return tr(value) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class ShownCell:
    text: str
    href: str | None
    numeric: bool
    value: Any


@dataclass(frozen=True)
class ShownTable:
    title: str
    columns: list[tuple[str, str, str]]  # key, label, kind
    rows: list[list[ShownCell]]


def drill_href(cell: Cell) -> str | None:
    """The link to the orders behind a figure (only figures that count orders carry one)."""
    if cell.drill is None or cell.value is None:
        return None
    return url_for("reports.orders", **{k: str(v) for k, v in cell.drill.params.items()})


def shown_table(table: Table) -> ShownTable:
    kinds = [c.kind for c in table.columns]
    rows = [[ShownCell(cell_text(c.value, kinds[i] if i < len(kinds) else "text"), drill_href(c),
                       (kinds[i] if i < len(kinds) else "text") in NUMERIC, c.value)
             for i, c in enumerate(row)] for row in table.rows]
    return ShownTable(tr(table.title), [(c.key, tr(c.label), c.kind) for c in table.columns], rows)


def _week_label(label: str) -> str:
    """An ISO date (a week's Monday) as a short day.month; anything else as it is."""
    try:
        day = date.fromisoformat(label)
    except ValueError:
        return tr(label)
    return day.strftime("%d.%m")


def chart_svg(chart: Chart) -> Markup:
    """The chart as inline SVG (printing.charts escapes every piece of text it writes)."""
    data = ChartData(
        title=tr(chart.title), kind=chart.kind,
        labels=tuple(_week_label(x) if chart.kind == "line" else tr(x) for x in chart.labels),
        series=tuple(ChartSeries(tr(s.name), tuple(s.values)) for s in chart.series),
        unit=_("h") if chart.unit == "h" else chart.unit,
        decimal="," if str(get_locale()) == "ru" else ".", empty_text=_("No data for this period."),
    )
    return Markup(render_chart(data))  # nosec B704  # noqa: S704 — render_chart escapes all text it is given


# ---------------------------------------------------------------- exports
def _csv_value(value: Any, kind: str) -> Any:
    """Numbers for Russian Excel: shares as 87,5%, hours and days with one decimal (comma)."""
    if value is None:
        return None
    if kind == "share" and isinstance(value, int | float | Decimal) and value >= 0:
        return f"{float(value) * 100:.1f}%".replace(".", ",")
    if kind in ("hours", "days") and isinstance(value, int | float | Decimal) and value >= 0:
        return f"{float(value):.1f}".replace(".", ",")
    if kind == "money" and isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        return tr(value)
    return value


def filter_line(report: Report, flt: ReportFilter, names: dict[str, str]) -> list[str]:
    """The export's first rows: the report and the filter it was run with."""
    parts = [_("Period: %(start)s – %(end)s", start=flt.date_from.strftime("%d.%m.%Y"),
               end=flt.date_to.strftime("%d.%m.%Y"))]
    parts += [f"{label}: {value}" for label, value in names.items() if value]
    return [tr(report.title), *parts]


def report_csv(report: Report, flt: ReportFilter, names: dict[str, str]) -> bytes:
    """Every table of the report, one after another: its title row, the header row, the rows."""
    rows: list[list[Any]] = [filter_line(report, flt, names), []]
    for table in report.tables:
        kinds = [c.kind for c in table.columns]
        rows.append([tr(table.title)])
        rows.append([tr(c.label) for c in table.columns])
        rows += [[_csv_value(c.value, kinds[i] if i < len(kinds) else "text") for i, c in enumerate(row)]
                 for row in table.rows]
        rows.append([])
    return to_csv(rows)


def _xlsx_value(value: Any) -> Any:
    return tr(value) if isinstance(value, str) else value


def report_xlsx(report: Report) -> bytes:
    """Every table of the report on its own sheet."""
    return render_xlsx([
        SheetTable(title=tr(t.title), headers=tuple(tr(c.label) for c in t.columns),
                   kinds=tuple(c.kind for c in t.columns),
                   rows=tuple(tuple(_xlsx_value(c.value) for c in row) for row in t.rows))
        for t in report.tables
    ])
