"""Turnaround: median and 90th percentile hours from intake to ready and to issue, of the orders
finished (ready for pickup) in the period, per center, engineer, brand and category, and by week.

PostgreSQL computes the percentiles (percentile_cont) over one pass of the period's orders; other
databases compute the same interpolated percentiles in Python from the rows (repairs.figures does
the same for the team lead's week and month)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Date, String, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from servicecenter.catalog.models import ProductModel
from servicecenter.errors import N_
from servicecenter.repairs.models import RepairOrder
from servicecenter.reports.base import Cell, Chart, Column, Report, ReportFilter, Series, Table, report
from servicecenter.reports.common import (
    brand_names,
    center_names,
    count_cell,
    drill,
    hours,
    on_postgresql,
    order_where,
    percentile,
    tune_for_aggregates,
    user_names,
    week_drill_bounds,
    week_of,
    week_sql,
    weeks_between,
)

Ord = RepairOrder
GROUPS = ("center", "engineer", "brand", "category", "week", "total")
Figures = tuple[int, float | None, float | None, float | None, float | None]  # n, ready p50/p90, issued p50/p90


def _rows_stmt(flt: ReportFilter, session: Session) -> Any:
    cols = [Ord.center_id.label("center"), Ord.engineer_id.label("engineer"), Ord.manufacturer_id.label("brand"),
            ProductModel.category.label("category")]
    if on_postgresql(session):
        # Seconds as double precision (date_part), not numeric (extract): a year of them sorts
        # several times faster for the percentiles.
        cols += [cast(week_sql(Ord.ready_at, session), Date).label("week"),
                 func.date_part("epoch", Ord.ready_at - Ord.received_at).label("ready_s"),
                 func.date_part("epoch", Ord.issued_at - Ord.received_at).label("issued_s")]
    else:
        cols += [Ord.received_at, Ord.ready_at, Ord.issued_at]
    return (select(*cols).select_from(Ord).outerjoin(ProductModel, ProductModel.id == Ord.model_id)
            .where(*order_where(flt, "ready"), Ord.received_at.is_not(None)))


def _figures_sql(session: Session, flt: ReportFilter) -> dict[str, dict[Any, Figures]]:
    tune_for_aggregates(session)
    rows = _rows_stmt(flt, session).cte("finished").prefix_with("MATERIALIZED")
    both = [0.5, 0.9]

    def part(group: str, key: Any) -> Any:
        agg = [func.count(), func.percentile_cont(both).within_group(rows.c.ready_s),
               func.percentile_cont(both).within_group(rows.c.issued_s)]
        stmt = select(literal(group).label("g"), cast(key, String).label("k"), *agg)
        return stmt.group_by(key) if group != "total" else stmt

    columns = {"center": rows.c.center, "engineer": rows.c.engineer, "brand": rows.c.brand,
               "category": rows.c.category, "week": rows.c.week, "total": literal(None)}
    out: dict[str, dict[Any, Figures]] = {g: {} for g in GROUPS}
    for g, k, n, ready, issued in session.execute(union_all(*(part(g, columns[g]) for g in GROUPS))):
        if g in ("center", "engineer", "brand") and k is not None:
            k = int(k)
        ready, issued = ready or [None, None], issued or [None, None]
        out[g][k] = (int(n), hours(ready[0]), hours(ready[1]), hours(issued[0]), hours(issued[1]))
    return out


def _figures_python(session: Session, flt: ReportFilter) -> dict[str, dict[Any, Figures]]:
    spans: dict[str, dict[Any, tuple[list[float], list[float]]]] = {g: defaultdict(lambda: ([], [])) for g in GROUPS}
    for r in session.execute(_rows_stmt(flt, session)):
        ready = (r.ready_at - r.received_at).total_seconds()
        issued = (r.issued_at - r.received_at).total_seconds() if r.issued_at else None
        for g, k in (("center", r.center), ("engineer", r.engineer), ("brand", r.brand), ("category", r.category),
                     ("week", week_of(r.ready_at).isoformat()), ("total", None)):
            spans[g][k][0].append(ready)
            if issued is not None:
                spans[g][k][1].append(issued)
    return {g: {k: (len(rd), hours(percentile(rd, .5)), hours(percentile(rd, .9)), hours(percentile(iss, .5)),
                    hours(percentile(iss, .9))) for k, (rd, iss) in per.items()} for g, per in spans.items()}


def turnaround_figures(session: Session, flt: ReportFilter) -> dict[str, dict[Any, Figures]]:
    """{group: {key: (finished, ready p50, ready p90, issued p50, issued p90)}}, hours; weeks as ISO Mondays."""
    return (_figures_sql if on_postgresql(session) else _figures_python)(session, flt)


COLUMNS = [Column("finished", N_("Finished"), "int"), Column("ready_p50", N_("Median to ready"), "hours"),
           Column("ready_p90", N_("90% to ready"), "hours"), Column("issued_p50", N_("Median to issue"), "hours"),
           Column("issued_p90", N_("90% to issue"), "hours")]


def _row(name: str, f: Figures, flt: ReportFilter, **by: object) -> list[Cell]:
    return [Cell(name), count_cell(f[0], flt, "ready", **by), *(Cell(v) for v in f[1:])]


@report("turnaround", N_("Turnaround"))
def turnaround_report(session: Session, flt: ReportFilter) -> Report:
    """Hours from intake to ready and to issue (median, 90th percentile) of the orders finished in the period."""
    data = turnaround_figures(session, flt)
    tables = []
    total = data["total"].get(None, (0, None, None, None, None))
    tables.append(Table(N_("All finished orders"), [Column("scope", ""), *COLUMNS],
                        [_row(N_("Total"), total, flt)] if total[0] else []))
    for group, title, label, names, drill_key in (
            ("center", N_("Per center"), N_("Center"), center_names, "center"),
            ("engineer", N_("Per engineer"), N_("Engineer"), user_names, "engineer"),
            ("brand", N_("Per brand"), N_("Brand"), brand_names, "brand")):
        named = names(session, data[group])
        rows = [_row(named.get(k, str(k)) if k is not None else N_("Not assigned"), f, flt,
                     **{drill_key: "none" if k is None else k})
                for k, f in data[group].items() if k is not None or group == "engineer"]
        rows.sort(key=lambda r: (-r[1].value, r[0].value))
        tables.append(Table(title, [Column(group, label), *COLUMNS], rows))
    cats = sorted(data["category"].items(), key=lambda kf: -kf[1][0])
    tables.append(Table(N_("Per category"), [Column("category", N_("Category")), *COLUMNS],
                        [_row(k, f, flt, category=k) for k, f in cats if k is not None]))
    weeks = [w.isoformat() for w in weeks_between(flt)]
    week_rows = []
    for w in weeks:
        f = data["week"].get(w, (0, None, None, None, None))
        start, end = week_drill_bounds(flt, date.fromisoformat(w))
        cell = Cell(f[0], drill(flt, "ready", **{"from": start.isoformat(), "to": end.isoformat()}) if f[0] else None)
        week_rows.append([Cell(w), cell, *(Cell(v) for v in f[1:])])
    tables.append(Table(N_("By week"), [Column("week", N_("Week from")), *COLUMNS], week_rows))
    chart = Chart(N_("Hours from intake to ready, by week"), "line", weeks,
                  [Series(N_("Median"), [r[2].value for r in week_rows]),
                   Series(N_("90th percentile"), [r[3].value for r in week_rows])], unit="h")
    return Report("turnaround", N_("Turnaround"), tables, [chart],
                  notes=[N_("Orders that became ready for pickup in the period; hours from intake to ready "
                            "and, of those already handed back, to issue.")])

