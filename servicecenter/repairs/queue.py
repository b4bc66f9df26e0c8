"""The team lead's queue of a center: filters, sort orders and the deadline board's counts.

Written for a center with 50,000 open orders: every filter is a plain predicate on the order
row or a join to its unit (never a per-row subquery), the default sort (due date, nulls last)
walks the (center_id, due_at) index, and the count behind the pager is capped (paging.py).
See docs/team-lead-queue.md for the plans PostgreSQL chose.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, case, func, select
from sqlalchemy.orm import Session, joinedload, load_only

from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.equipment.models import Unit
from servicecenter.paging import Page, paginate
from servicecenter.repairs.models import Priority, RepairOrder
from servicecenter.repairs.states import FINAL_STATES, RepairState


class Sort(StrEnum):
    DUE = "due"  # due date, soonest first, orders without one last (the default)
    AGE = "age"  # oldest received first
    PRIORITY = "priority"  # urgent first, then by due date


class Deadline(StrEnum):
    OVERDUE = "overdue"  # due_at < now
    DUE_TODAY = "due_today"  # now <= due_at < the end of today in the center's time zone
    AT_RISK = "at_risk"  # risk_at <= now < due_at


class Payment(StrEnum):
    WARRANTY = "warranty"  # the warranty decision is "covered"
    PAID = "paid"  # not covered, or not decided yet (the customer pays unless decided otherwise)


UNASSIGNED = "none"  # the engineer filter's value for "nobody yet"
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


@dataclass(frozen=True)
class QueueFilter:
    """What the team lead narrowed the queue to. Empty `states` means every open state."""

    states: tuple[RepairState, ...] = ()
    engineer_id: int | None = None
    unassigned: bool = False
    manufacturer_id: int | None = None
    category: str = ""
    payment: Payment | None = None
    deadline: Deadline | None = None
    age_min: int | None = None  # days since received, at least
    age_max: int | None = None  # days since received, at most
    sort: Sort = Sort.DUE


def end_of_local_day(now: datetime, tz_name: str) -> datetime:
    """The first moment of tomorrow in the time zone, as a UTC-aware datetime."""
    tz = ZoneInfo(tz_name)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=tz)


def deadline_condition(kind: Deadline, now: datetime, tz_name: str) -> ColumnElement[bool]:
    """The predicate for one of the board's deadline groups."""
    due = RepairOrder.due_at
    if kind == Deadline.OVERDUE:
        return due < now
    if kind == Deadline.DUE_TODAY:
        return and_(due >= now, due < end_of_local_day(now, tz_name))
    return and_(RepairOrder.risk_at <= now, due > now)


def _received() -> ColumnElement[datetime]:
    # A pre-registered order has not been received yet: its age counts from its registration.
    return func.coalesce(RepairOrder.received_at, RepairOrder.created_at)


def queue_statement(center_id: int, flt: QueueFilter, now: datetime, tz_name: str) -> Select[tuple[int]]:
    """The SELECT behind the queue: ids of the center's orders narrowed by `flt`, in its sort order.
    Ids only, so that sorting 50,000 rows sorts narrow rows and only one page's orders are loaded."""
    # "Not finished" rather than "one of the open states": no index serves it, so PostgreSQL walks
    # (center_id, due_at) in the queue's order and stops at the page, instead of collecting a
    # backlog's 50,000 open orders through the state index to sort them (measured: 323 -> ~5 ms).
    open_here = (RepairOrder.state.in_(sorted(flt.states)) if flt.states
                 else RepairOrder.state.not_in(sorted(FINAL_STATES)))
    stmt = select(RepairOrder.id).where(RepairOrder.center_id == center_id, open_here)
    if flt.unassigned:
        stmt = stmt.where(RepairOrder.engineer_id.is_(None))
    elif flt.engineer_id is not None:
        stmt = stmt.where(RepairOrder.engineer_id == flt.engineer_id)
    if flt.manufacturer_id is not None or flt.category:
        stmt = stmt.join(Unit, Unit.id == RepairOrder.unit_id)
        if flt.manufacturer_id is not None:
            stmt = stmt.where(Unit.manufacturer_id == flt.manufacturer_id)
        if flt.category:
            stmt = stmt.join(ProductModel, ProductModel.id == Unit.model_id).where(
                ProductModel.category == flt.category)
    if flt.payment == Payment.WARRANTY:
        stmt = stmt.where(RepairOrder.warranty_covered.is_(True))
    elif flt.payment == Payment.PAID:
        stmt = stmt.where(RepairOrder.warranty_covered.is_not(True))
    if flt.deadline is not None:
        stmt = stmt.where(deadline_condition(flt.deadline, now, tz_name))
    if flt.age_min is not None:
        stmt = stmt.where(_received() <= now - timedelta(days=flt.age_min))
    if flt.age_max is not None:
        stmt = stmt.where(_received() > now - timedelta(days=flt.age_max + 1))
    due_last = RepairOrder.due_at.asc().nulls_last()
    if flt.sort == Sort.AGE:
        return stmt.order_by(_received().asc(), RepairOrder.id)
    if flt.sort == Sort.PRIORITY:
        rank = case({p.value: r for p, r in PRIORITY_RANK.items()}, value=RepairOrder.priority, else_=9)
        return stmt.order_by(rank, due_last, RepairOrder.id)
    return stmt.order_by(due_last, RepairOrder.id)


def list_queue(session: Session, center_id: int, flt: QueueFilter, now: datetime, tz_name: str,
               page: int = 1, per_page: int = 50) -> Page[RepairOrder]:
    """One page of the center's queue, filtered and sorted; the total is capped (paging.py)."""
    ids = paginate(session, queue_statement(center_id, flt, now, tz_name), page, per_page)
    if not ids.items:
        return replace(ids, items=[])
    # Only what a queue row and the suggestion read: a page of 50 orders with their units, models,
    # brands and engineers is some 250 objects, and their long texts are not needed here.
    o, unit = RepairOrder, joinedload(RepairOrder.unit).load_only(Unit.id, Unit.model_id, Unit.manufacturer_id)
    orders = {row.id: row for row in session.scalars(
        select(o).where(o.id.in_(ids.items))
        .options(load_only(o.id, o.number, o.center_id, o.unit_id, o.engineer_id, o.state, o.priority,
                           o.warranty_covered, o.order_type, o.created_at, o.received_at, o.due_at, o.risk_at,
                           o.version),
                 joinedload(o.engineer).load_only(User.id, User.name, User.role, User.active),
                 unit.joinedload(Unit.model).load_only(ProductModel.id, ProductModel.name, ProductModel.category),
                 unit.joinedload(Unit.manufacturer).load_only(Manufacturer.id, Manufacturer.name)))}
    return replace(ids, items=[orders[i] for i in ids.items if i in orders])


@dataclass(frozen=True)
class BoardCounts:
    overdue: int
    due_today: int
    at_risk: int
    awaiting_parts: int
    awaiting_approval: int


def board_statement(center_id: int, now: datetime, tz_name: str) -> Select[tuple[int, int, int, int, int]]:
    """The deadline board's counts: five counts in one statement, each served by its own index
    ((center_id, due_at) for the deadline groups, (center_id, state) for the waiting ones), so a
    center with 50,000 open orders is counted from its indexes, not by reading every order."""
    here = (RepairOrder.center_id == center_id, RepairOrder.state.not_in(sorted(FINAL_STATES)))

    def n(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.count()).select_from(RepairOrder).where(*here, *conditions).scalar_subquery()

    return select(n(deadline_condition(Deadline.OVERDUE, now, tz_name)),
                  n(deadline_condition(Deadline.DUE_TODAY, now, tz_name)),
                  n(deadline_condition(Deadline.AT_RISK, now, tz_name)),
                  n(RepairOrder.state == RepairState.AWAITING_PARTS),
                  n(RepairOrder.state == RepairState.AWAITING_APPROVAL))


def count_board(session: Session, center_id: int, now: datetime, tz_name: str) -> BoardCounts:
    """The deadline board's numbers for a center's open orders."""
    return BoardCounts(*(int(v) for v in session.execute(board_statement(center_id, now, tz_name)).one()))
