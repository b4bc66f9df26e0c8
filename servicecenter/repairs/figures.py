"""Week and month figures of a center and of each of its engineers.

- Finished: orders of the center that reached READY_FOR_PICKUP (`ready_at`) in the period.
- Median turnaround: received_at -> ready_at of those orders (PostgreSQL: percentile_cont in
  SQL; other databases: the median of the period's rows in Python).
- Deadline compliance: the share of finished orders with a due date that were ready by it. The
  due date that counts is the center's own repair deadline (`repair_due`, what the team is
  managed by); an order without one is measured against the legal limit (`legal_due`); an order
  with neither is left out of the share (it had no deadline to meet).

Periods are in the center's time zone: the week from Monday 00:00, the month from the 1st 00:00,
each up to now. An order counts for the engineer assigned to it (after finishing, nobody reassigns
it), and for the center that holds it now (an order routed to a partner counts there).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date, week_start
from servicecenter.repairs.models import RepairOrder


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Figures:
    finished: int
    median_turnaround: timedelta | None
    with_due: int  # finished orders that had a due date
    on_time: int  # of those, ready by it

    @property
    def compliance(self) -> float | None:
        """On-time share, 0..1; None when no finished order had a due date."""
        return self.on_time / self.with_due if self.with_due else None

    @property
    def median_days(self) -> float | None:
        return None if self.median_turnaround is None else round(self.median_turnaround.total_seconds() / 86400, 1)


EMPTY = Figures(0, None, 0, 0)


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    start: datetime
    center: Figures
    engineers: list[tuple[User | None, Figures]]  # None: finished with no engineer assigned


def period_start(period: Period, now: datetime, tz_name: str) -> datetime:
    """The start of the week (Monday) or month containing `now`, in the time zone, as aware UTC."""
    first = week_start(now, tz_name) if period == Period.WEEK else local_date(now, tz_name).replace(day=1)
    return datetime.combine(first, time(0), tzinfo=ZoneInfo(tz_name))


def _due():  # noqa: ANN202
    return func.coalesce(RepairOrder.repair_due, RepairOrder.legal_due)


def _counts(session: Session, where: list) -> dict[int | None, tuple[int, int, int]]:
    """finished, with a due date, on time, per engineer, in SQL on every database."""
    rows = session.execute(
        select(RepairOrder.engineer_id, func.count(),
               func.count(_due()),
               func.coalesce(func.sum(case((RepairOrder.ready_at <= _due(), 1), else_=0)), 0))
        .where(*where).group_by(RepairOrder.engineer_id)).all()
    return {eid: (int(n), int(d), int(ok)) for eid, n, d, ok in rows}


def _medians_sql(session: Session, where: list) -> tuple[dict[int | None, timedelta], timedelta | None]:
    seconds = func.extract("epoch", RepairOrder.ready_at - RepairOrder.received_at)
    median = func.percentile_cont(0.5).within_group(seconds)
    where = [*where, RepairOrder.received_at.is_not(None)]
    per = {eid: timedelta(seconds=float(m)) for eid, m in session.execute(
        select(RepairOrder.engineer_id, median).where(*where).group_by(RepairOrder.engineer_id)).all()
        if m is not None}
    total = session.scalar(select(median).where(*where))
    return per, (timedelta(seconds=float(total)) if total is not None else None)


def _medians_python(session: Session, where: list) -> tuple[dict[int | None, timedelta], timedelta | None]:
    rows = session.execute(select(RepairOrder.engineer_id, RepairOrder.received_at, RepairOrder.ready_at)
                           .where(*where, RepairOrder.received_at.is_not(None))).all()
    spans: dict[int | None, list[timedelta]] = {}
    for eid, received, ready in rows:
        spans.setdefault(eid, []).append(ready - received)
    every = [s for group in spans.values() for s in group]
    per = {eid: statistics.median(group) for eid, group in spans.items()}
    return per, (statistics.median(every) if every else None)


def figures_for(session: Session, center: ServiceCenter, period: Period, now: datetime) -> PeriodFigures:
    """The center's and each engineer's figures for the week or month containing `now`."""
    start = period_start(period, now, center.timezone)
    where = [RepairOrder.center_id == center.id, RepairOrder.ready_at.is_not(None),
             RepairOrder.ready_at >= start, RepairOrder.ready_at <= now]
    counts = _counts(session, where)
    on_pg = session.get_bind().dialect.name == "postgresql"
    medians, total_median = (_medians_sql if on_pg else _medians_python)(session, where)
    people = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_([e for e in counts if e is not None])))} if counts else {}
    engineers = [(people.get(eid) if eid is not None else None,
                  Figures(n, medians.get(eid), d, ok)) for eid, (n, d, ok) in counts.items()]
    engineers.sort(key=lambda row: (row[0] is None, row[0].name if row[0] else ""))
    center_figures = Figures(sum(c[0] for c in counts.values()), total_median,
                             sum(c[1] for c in counts.values()), sum(c[2] for c in counts.values()))
    return PeriodFigures(period=period, start=start, center=center_figures, engineers=engineers)
