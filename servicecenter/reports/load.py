"""Engineer load: open orders now, orders finished and hours logged in the period, per engineer; and
the network's throughput (orders finished) per week."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.errors import N_
from servicecenter.repairs.models import RepairOrder, WorkLog
from servicecenter.repairs.states import OPEN_STATES
from servicecenter.reports.base import Cell, Chart, Column, Report, ReportFilter, Series, Table, report
from servicecenter.reports.common import (
    as_date,
    center_names,
    count_cell,
    drill,
    on_postgresql,
    order_where,
    user_names,
    week_drill_bounds,
    week_of,
    week_sql,
    weeks_between,
    with_catalog,
)

Ord = RepairOrder


def finished_per_week(session: Session, flt: ReportFilter) -> dict[date, int]:
    """Orders ready for pickup per week (Monday in REPORT_TZ) of the period."""
    if on_postgresql(session):
        week = week_sql(Ord.ready_at, session)
        stmt = with_catalog(select(week, func.count()).select_from(Ord), flt)
        return {as_date(w): int(n) for w, n in session.execute(stmt.where(*order_where(flt, "ready")).group_by(week))}
    stmt = with_catalog(select(Ord.ready_at).select_from(Ord), flt).where(*order_where(flt, "ready"))
    return dict(Counter(week_of(moment) for moment in session.scalars(stmt)))


def _per_engineer(session: Session, flt: ReportFilter, *where: Any, basis: str | None = None) -> dict:
    stmt = with_catalog(select(Ord.center_id, Ord.engineer_id, func.count()).select_from(Ord), flt)
    return {(c, e): int(n) for c, e, n in session.execute(
        stmt.where(*order_where(flt, basis), Ord.engineer_id.is_not(None), *where).group_by(Ord.center_id, Ord.engineer_id))}


def _minutes(session: Session, flt: ReportFilter) -> dict:
    stmt = with_catalog(select(Ord.center_id, WorkLog.user_id, func.sum(WorkLog.minutes)).select_from(WorkLog)
                        .join(Ord, Ord.id == WorkLog.order_id), flt)
    return {(c, u): int(m) for c, u, m in session.execute(
        stmt.where(*order_where(flt), WorkLog.performed_on >= flt.date_from, WorkLog.performed_on <= flt.date_to)
        .group_by(Ord.center_id, WorkLog.user_id))}


@report("load", N_("Engineer load"))
def load_report(session: Session, flt: ReportFilter) -> Report:
    """Open orders, finished orders and hours logged per engineer; orders finished per week."""
    open_now = _per_engineer(session, flt, Ord.state.in_(OPEN_STATES))
    finished = _per_engineer(session, flt, basis="ready")
    minutes = _minutes(session, flt)
    keys = set(open_now) | set(finished) | set(minutes)
    centers = center_names(session, [c for c, _ in keys])
    people = user_names(session, [u for _, u in keys])
    rows = [[Cell(centers.get(c, str(c))), Cell(people.get(u, str(u))),
             count_cell(open_now.get((c, u), 0), flt, None, open="yes", center=c, engineer=u),
             count_cell(finished.get((c, u), 0), flt, "ready", center=c, engineer=u),
             Cell(round(minutes.get((c, u), 0) / 60, 1))] for c, u in keys]
    rows.sort(key=lambda r: (r[0].value, r[1].value))
    weekly = finished_per_week(session, flt)
    weeks = weeks_between(flt)
    week_rows = []
    for w in weeks:
        start, end = week_drill_bounds(flt, w)
        n = weekly.get(w, 0)
        week_rows.append([Cell(w.isoformat()), Cell(n, drill(flt, "ready", **{"from": start.isoformat(),
                                                                                "to": end.isoformat()}) if n else None)])
    tables = [Table(N_("Per engineer"), [Column("center", N_("Center")), Column("engineer", N_("Engineer")),
                                         Column("open", N_("Open now"), "int"),
                                         Column("finished", N_("Finished"), "int"),
                                         Column("hours", N_("Hours logged"), "hours")], rows),
              Table(N_("Throughput by week"), [Column("week", N_("Week from")),
                                               Column("finished", N_("Finished"), "int")], week_rows)]
    charts = [Chart(N_("Orders finished per week"), "line", [w.isoformat() for w in weeks],
                    [Series(N_("Finished"), [r[1].value for r in week_rows])])]
    if rows:
        top = sorted(rows, key=lambda r: -r[2].value)[:20]
        charts.append(Chart(N_("Open orders per engineer (top 20)"), "bar", [r[1].value for r in top],
                            [Series(N_("Open now"), [r[2].value for r in top])]))
    return Report("load", N_("Engineer load"), tables, charts,
                  notes=[N_("Open now ignores the period; hours are the work logged on the days of the period "
                            "on the filter's orders.")])
