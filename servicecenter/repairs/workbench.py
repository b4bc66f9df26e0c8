"""Reading for the bench: the engineer's queue, the center's unassigned orders, hours logged,
what a scan opens, and earlier repairs of the same unit (repeat-repair warning)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from servicecenter.clock import local_date, utcnow, week_start
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.repairs.models import Outcome, RepairOrder, WorkLog
from servicecenter.repairs.repeats import REPEAT_DAYS
from servicecenter.repairs.states import OPEN_STATES, RepairState
from servicecenter.scanning import ScanKind, identify


def _queue_order():  # noqa: ANN202
    # Due date first, orders without one last, then the oldest.
    return (RepairOrder.due_at.asc().nulls_last(), RepairOrder.created_at, RepairOrder.id)


def _load_in_order(session: Session, ids: list[int]) -> list[RepairOrder]:
    """The orders with these ids, in this order, with what the queue shows (customer, unit, model)."""
    if not ids:
        return []
    found = {o.id: o for o in session.scalars(
        select(RepairOrder).where(RepairOrder.id.in_(ids))
        .options(joinedload(RepairOrder.customer), joinedload(RepairOrder.unit).joinedload(Unit.model)))}
    return [found[i] for i in ids if i in found]


def list_my_queue(session: Session, engineer_id: int, limit: int = 50) -> list[RepairOrder]:
    """The engineer's open orders (not yet ready), by due date (none last), then age. The ids are
    sorted first and only the page is loaded (an engineer behind a backlog has thousands)."""
    states = OPEN_STATES - {RepairState.READY_FOR_PICKUP, RepairState.REGISTERED}
    ids = session.scalars(select(RepairOrder.id).where(RepairOrder.engineer_id == engineer_id,
                                                       RepairOrder.state.in_(states))
                          .order_by(*_queue_order()).limit(limit))
    return _load_in_order(session, list(ids))


def list_unassigned(session: Session, center_id: int, limit: int = 20) -> list[RepairOrder]:
    """The center's received orders nobody has taken, by due date (none last), then age."""
    ids = session.scalars(select(RepairOrder.id).where(RepairOrder.center_id == center_id,
                                                       RepairOrder.state == RepairState.RECEIVED,
                                                       RepairOrder.engineer_id.is_(None))
                          .order_by(*_queue_order()).limit(limit))
    return _load_in_order(session, list(ids))


@dataclass(frozen=True)
class Hours:
    today_minutes: int
    week_minutes: int


def count_hours(session: Session, user_id: int, tz: str, now: datetime | None = None) -> Hours:
    """Minutes the user logged today and this week (Monday on), in the center's time zone."""
    now = now or utcnow()
    today, monday = local_date(now, tz), week_start(now, tz)
    rows = session.execute(select(WorkLog.performed_on, func.sum(WorkLog.minutes)).where(
        WorkLog.user_id == user_id, WorkLog.performed_on >= monday, WorkLog.performed_on <= today)
        .group_by(WorkLog.performed_on)).all()
    by_day: dict[date, int] = {day: int(total or 0) for day, total in rows}
    return Hours(by_day.get(today, 0), sum(by_day.values()))


def find_scanned_order(session: Session, raw: str, center_id: int | None) -> str:
    """The order number a bench scan opens: an order number, or a unit serial → its open order
    (at this center when there are several). NotFound when there is none."""
    found = identify(session, raw)
    if found is not None and found.kind == ScanKind.ORDER:
        return found.ref
    if found is not None and found.kind == ScanKind.UNIT:
        stmt = (select(RepairOrder.number, RepairOrder.center_id)
                .where(RepairOrder.unit_id.in_(found.candidates), RepairOrder.state.in_(OPEN_STATES))
                .order_by(RepairOrder.created_at.desc()))
        rows = session.execute(stmt).all()
        here = [number for number, cid in rows if cid == center_id]
        if here or rows:
            return (here or [rows[0][0]])[0]
        raise NotFound(N_("Unit S/N %(code)s has no open order"), code=found.code)
    raise NotFound(N_("Nothing found for %(code)s"), code=(raw or "").strip()[:40])


# The order page's statements about the unit's other orders, built once with their values as
# parameters (see repairs/queries.py).
_REPEATS = (select(RepairOrder.number, RepairOrder.ready_at, RepairOrder.outcome, RepairOrder.diagnosis)
            .where(RepairOrder.unit_id == bindparam("unit_id"), RepairOrder.id != bindparam("order_id"),
                   RepairOrder.ready_at.is_not(None), RepairOrder.ready_at <= bindparam("start"),
                   RepairOrder.ready_at >= bindparam("since"))
            .order_by(RepairOrder.ready_at.desc()))
_UNIT_ORDERS = (select(RepairOrder)
                .where(RepairOrder.unit_id == bindparam("unit_id"), RepairOrder.id != bindparam("order_id"))
                .options(joinedload(RepairOrder.center)).order_by(RepairOrder.created_at.desc())
                .limit(bindparam("limit")))


@cache
def _unit_repairs_statements() -> tuple[Select[Any], Select[Any]]:
    """The diagnoses and part swaps of a list of orders (diagnostics builds on repairs: built on first use)."""
    from servicecenter.diagnostics.models import OrderDiagnosis, PartSwap

    ids = bindparam("ids", expanding=True)
    return (select(OrderDiagnosis).where(OrderDiagnosis.order_id.in_(ids))
            .options(joinedload(OrderDiagnosis.symptom), joinedload(OrderDiagnosis.cause),
                     joinedload(OrderDiagnosis.action)),
            select(PartSwap).where(PartSwap.order_id.in_(ids)).order_by(PartSwap.id)
            .options(joinedload(PartSwap.old_unit), joinedload(PartSwap.new_unit)))


@dataclass(frozen=True)
class EarlierRepair:
    number: str
    finished_at: datetime
    outcome: Outcome | None
    diagnosis: str


def list_repeat_repairs(session: Session, order: RepairOrder,
                        days: int = REPEAT_DAYS) -> list[EarlierRepair]:
    """The unit's other orders finished (ready for pickup) within `days` before this one was received:
    the unit is back soon after a repair (a repeat repair), newest first."""
    if order.unit_id is None:
        return []
    start = order.received_at or order.created_at
    rows = session.execute(_REPEATS, {"unit_id": order.unit_id, "order_id": order.id, "start": start,
                                      "since": start - timedelta(days=days)}).all()
    return [EarlierRepair(number, ready_at, outcome, diagnosis or "") for number, ready_at, outcome, diagnosis in rows]


@dataclass(frozen=True)
class UnitRepair:
    """One earlier order of the unit, as the bench reads it: what was found, replaced, and the outcome."""

    order: RepairOrder
    codes: str
    parts: list[str]


def list_unit_repairs(session: Session, order: RepairOrder, limit: int = 20) -> list[UnitRepair]:
    """The unit's other orders (any center the session sees), newest first, with their coded diagnosis
    and the serialised parts replaced."""
    if order.unit_id is None:
        return []
    orders = list(session.scalars(_UNIT_ORDERS, {"unit_id": order.unit_id, "order_id": order.id, "limit": limit}))
    ids = [o.id for o in orders]
    if not ids:
        return []
    of_orders, swaps = _unit_repairs_statements()
    diagnoses = {d.order_id: d for d in session.scalars(of_orders, {"ids": ids})}
    parts: dict[int, list[str]] = {}
    for swap in session.scalars(swaps, {"ids": ids}):
        parts.setdefault(swap.order_id, []).append(
            f"{swap.part_name}: {swap.old_unit.serial} → {swap.new_unit.serial}")
    result = []
    for o in orders:
        d = diagnoses.get(o.id)
        codes = " → ".join(f"{c.code} {c.name}" for c in (d.symptom, d.cause, d.action) if c) if d else ""
        result.append(UnitRepair(o, codes, parts.get(o.id, [])))
    return result
