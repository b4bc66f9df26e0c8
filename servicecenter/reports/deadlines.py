"""Deadline compliance: the share of the period's finished orders that were ready by their due date,
and the open orders overdue now, per center and per engineer.

The due date is the one the team lead's figures use (repairs.figures): the center's repair deadline,
else the legal limit; an order with neither had no deadline to meet and is left out of the share.
Overdue now: an open order whose binding due date (`due_at`) has passed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from servicecenter import clock
from servicecenter.errors import N_
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import OPEN_STATES
from servicecenter.reports.base import Cell, Chart, Column, Report, ReportFilter, Series, Table, report
from servicecenter.reports.common import (
    center_names,
    count_cell,
    due_sql,
    order_where,
    user_names,
    with_catalog,
)

Ord = RepairOrder


def overdue_where(now: Any) -> list[Any]:
    return [Ord.state.in_(OPEN_STATES), Ord.due_at < now]


def _finished(session: Session, flt: ReportFilter) -> dict[tuple[int, int | None], tuple[int, int, int]]:
    due = due_sql()
    stmt = with_catalog(select(Ord.center_id, Ord.engineer_id, func.count(), func.count(due),
                               func.coalesce(func.sum(case((Ord.ready_at <= due, 1), else_=0)), 0)).select_from(Ord), flt)
    return {(c, e): (int(n), int(d), int(ok)) for c, e, n, d, ok in session.execute(
        stmt.where(*order_where(flt, "ready")).group_by(Ord.center_id, Ord.engineer_id))}


def _overdue(session: Session, flt: ReportFilter, now: Any) -> dict[tuple[int, int | None], int]:
    stmt = with_catalog(select(Ord.center_id, Ord.engineer_id, func.count()).select_from(Ord), flt)
    return {(c, e): int(n) for c, e, n in session.execute(
        stmt.where(*order_where(flt), *overdue_where(now)).group_by(Ord.center_id, Ord.engineer_id))}


COLUMNS = [Column("finished", N_("Finished"), "int"), Column("with_due", N_("With a due date"), "int"),
           Column("in_time", N_("In time"), "int"), Column("late", N_("Late"), "int"),
           Column("share", N_("Share in time"), "share"), Column("overdue", N_("Overdue now"), "int")]


def _cells(fin: tuple[int, int, int], overdue: int, flt: ReportFilter, **by: object) -> list[Cell]:
    n, with_due, ok = fin
    return [count_cell(n, flt, "ready", **by), Cell(with_due),
            count_cell(ok, flt, "ready", in_time="yes", **by), count_cell(with_due - ok, flt, "ready", in_time="no", **by),
            Cell(ok / with_due if with_due else None), count_cell(overdue, flt, None, overdue="yes", **by)]


@report("deadlines", N_("Deadline compliance"))
def deadlines_report(session: Session, flt: ReportFilter) -> Report:
    """Finished in time (share) in the period and overdue now, per center and per engineer."""
    now = clock.utcnow()
    finished, overdue = _finished(session, flt), _overdue(session, flt, now)
    per_center: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_engineer: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for key, (n, d, ok) in finished.items():
        for acc in (per_center[key[0]], per_engineer[key]):
            acc[0], acc[1], acc[2] = acc[0] + n, acc[1] + d, acc[2] + ok
    for key, n in overdue.items():
        per_center[key[0]][3] += n
        per_engineer[key][3] += n
    centers = center_names(session, per_center)
    people = user_names(session, [e for _, e in per_engineer])
    center_rows = sorted(([Cell(centers.get(c, str(c))), *_cells(tuple(v[:3]), v[3], flt, center=c)]
                          for c, v in per_center.items()), key=lambda r: r[0].value)
    engineer_rows = sorted(([Cell(centers.get(c, str(c))),
                             Cell(people.get(e, str(e)) if e is not None else N_("Not assigned")),
                             *_cells(tuple(v[:3]), v[3], flt, center=c, engineer="none" if e is None else e)]
                            for (c, e), v in per_engineer.items()), key=lambda r: (r[0].value, r[1].value))
    totals = [sum(v[i] for v in per_center.values()) for i in range(4)]
    tables = [
        Table(N_("All centers"), [Column("scope", ""), *COLUMNS],
              [[Cell(N_("Total")), *_cells(tuple(totals[:3]), totals[3], flt)]]),
        Table(N_("Per center"), [Column("center", N_("Center")), *COLUMNS], center_rows),
        Table(N_("Per engineer"), [Column("center", N_("Center")), Column("engineer", N_("Engineer")), *COLUMNS],
              engineer_rows),
    ]
    charts = [Chart(N_("Share finished in time, per center"), "bar", [r[0].value for r in center_rows],
                    [Series(N_("In time"), [None if r[5].value is None else round(r[5].value * 100, 1)
                                            for r in center_rows])], unit="%"),
              Chart(N_("Overdue now, per center"), "bar", [r[0].value for r in center_rows],
                    [Series(N_("Overdue now"), [r[6].value for r in center_rows])])]
    return Report("deadlines", N_("Deadline compliance"), tables, charts,
                  notes=[N_("In time: ready for pickup by the center's repair deadline, else by the legal limit; "
                            "orders with neither are left out of the share. Overdue now ignores the period.")])
