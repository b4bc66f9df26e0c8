"""What the reports share: the filter as SQL conditions, the drill that names a figure's orders,
who pays for an order (in SQL), percentiles, and the names of the things rows are about."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, select, text
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.repairs.models import OrderType, Payer, RepairOrder
from servicecenter.reports.base import REPORT_TZ, Cell, Drill, ReportFilter

Ord = RepairOrder
BASES = {"received": Ord.received_at, "ready": Ord.ready_at, "issued": Ord.issued_at, "created": Ord.created_at,
         "paid": Ord.paid_at}


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def tune_for_aggregates(session: Session) -> None:
    """PostgreSQL: room to sort a year of orders in memory, and no JIT compile for a one-off query
    (both only for the current transaction)."""
    if on_postgresql(session):
        session.execute(text("SET LOCAL work_mem = '128MB'"))
        session.execute(text("SET LOCAL jit = off"))


def payer_sql() -> Any:
    """models.initial_payer in SQL: who pays for the order as received."""
    covered = Ord.warranty_covered.is_(True)
    return case((Ord.order_type == OrderType.PRESALE, Payer.DEALER.value),
                (and_(Ord.order_type == OrderType.REPEAT, covered), Payer.SERVICE_CENTER.value),
                (covered, Payer.MANUFACTURER.value), else_=Payer.CUSTOMER.value)


def due_sql() -> Any:
    """The deadline a finished order is measured by (as in repairs.figures): repair_due, else legal_due."""
    return func.coalesce(Ord.repair_due, Ord.legal_due)


def period_of(column: Any, flt: ReportFilter) -> list[Any]:
    start, end = flt.bounds()
    return [column >= start, column < end]


def with_catalog(stmt: Select[Any], flt: ReportFilter, *, model: bool = False) -> Select[Any]:
    """Join the order's model (its category) when the filter or the grouping needs it; the brand and
    the model themselves are on the order."""
    if model or flt.category:
        stmt = stmt.join(ProductModel, ProductModel.id == Ord.model_id)
    return stmt


def order_where(flt: ReportFilter, basis: str | None = None) -> list[Any]:
    """The filter's conditions on orders (their model joined by `with_catalog` for the category)."""
    where: list[Any] = []
    if basis:
        where += period_of(BASES[basis], flt)
    if flt.center_id:
        where.append(Ord.center_id == flt.center_id)
    if flt.manufacturer_id:
        where.append(Ord.manufacturer_id == flt.manufacturer_id)
    if flt.category:
        where.append(ProductModel.category == flt.category)
    return where


def drill(flt: ReportFilter, basis: str | None = None, **extra: object) -> Drill:
    """The orders-list filter behind a figure: the report's filter plus the figure's own values."""
    params: dict[str, str] = {}
    if basis:
        params.update({"from": flt.date_from.isoformat(), "to": flt.date_to.isoformat(), "basis": basis})
    if flt.center_id:
        params["center"] = str(flt.center_id)
    if flt.manufacturer_id:
        params["brand"] = str(flt.manufacturer_id)
    if flt.category:
        params["category"] = flt.category
    for key, value in extra.items():
        if value is not None:
            params[key] = str(value)
    return Drill(params)


def count_cell(n: int | None, flt: ReportFilter, basis: str | None = None, **extra: object) -> Cell:
    """A count with its drill (no drill on zero: there is nothing behind it)."""
    n = int(n or 0)
    return Cell(n, drill(flt, basis, **extra) if n else None)


def percentile(values: Sequence[float], p: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 1)


def week_of(moment: datetime) -> date:
    """Monday of the moment's week in REPORT_TZ."""
    day = moment.astimezone(ZoneInfo(REPORT_TZ)).date()
    return day - timedelta(days=day.weekday())


def weeks_between(flt: ReportFilter) -> list[date]:
    """Every week (its Monday) that the period touches, for trend charts without gaps."""
    first = flt.date_from - timedelta(days=flt.date_from.weekday())
    return [first + timedelta(weeks=i) for i in range((flt.date_to - first).days // 7 + 1)]


def week_drill_bounds(flt: ReportFilter, monday: date) -> tuple[date, date]:
    """The part of a week inside the period (both ends included)."""
    return max(monday, flt.date_from), min(monday + timedelta(days=6), flt.date_to)


def week_sql(column: Any, session: Session) -> Any:
    """The Monday (REPORT_TZ) of a timestamp, in SQL (PostgreSQL only)."""
    return func.date_trunc("week", func.timezone(REPORT_TZ, column))


def as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def names(session: Session, model: type, ids: Iterable[Any], label: Any) -> dict[Any, str]:
    """id -> display name of centers, users, brands, models (only those visible to the session)."""
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return {}
    return {i: name for i, name in session.execute(select(model.id, label).where(model.id.in_(wanted)))}


def center_names(session: Session, ids: Iterable[Any]) -> dict[Any, str]:
    return names(session, ServiceCenter, ids, ServiceCenter.code)


def user_names(session: Session, ids: Iterable[Any]) -> dict[Any, str]:
    return names(session, User, ids, User.name)


def brand_names(session: Session, ids: Iterable[Any]) -> dict[Any, str]:
    return names(session, Manufacturer, ids, Manufacturer.name)


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
