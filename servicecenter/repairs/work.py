"""The repair engineer's operations on an order: take it, record the coded diagnosis, log labour,
tick the checklist. Each takes a session and an actor, checks before it writes, flushes, never commits.

Replaced parts and finishing with an outcome are in `repairs.outcomes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session, joinedload

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.clock import local_date, utcnow
from servicecenter.diagnostics.catalogue import list_checklist
from servicecenter.diagnostics.checklist import order_category
from servicecenter.diagnostics.models import ChecklistTick, CodeKind, DiagnosisCode, OrderDiagnosis
from servicecenter.errors import N_, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder, WorkLog
from servicecenter.repairs.services import _text, apply_transition, check_center
from servicecenter.repairs.states import RepairState

# People who work at a bench: they take orders and log their own labour.
BENCH_WORKERS = frozenset({Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES})
# Who may record on an order (an administrator may correct).
BENCH_EDITORS = BENCH_WORKERS | {Role.ADMIN}
# Where the diagnosis, labour and checklist are recorded: the unit is on the bench.
ON_BENCH = frozenset({RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, RepairState.AWAITING_PARTS,
                      RepairState.IN_REPAIR})
MAX_MINUTES = 24 * 60
# Labour is logged for the last few weeks at most (a forgotten day, not last year's).
MAX_BACKDATE_DAYS = 31


def check_bench(actor: User, order: RepairOrder, roles: Iterable[Role] = BENCH_EDITORS) -> None:
    """The actor may work on this order: a bench role, its center, and (an engineer) assigned to it."""
    if actor.role not in roles:
        raise PermissionDenied(N_("Your role may not work on orders at the bench"))
    check_center(actor, order.center_id)
    if actor.role == Role.ENGINEER and order.engineer_id != actor.id:
        who = order.engineer.name if order.engineer else None
        if who:
            raise PermissionDenied(N_("Order %(number)s is assigned to %(name)s"), number=order.number, name=who)
        raise PermissionDenied(N_("Take order %(number)s first"), number=order.number)


def _on_bench(order: RepairOrder, states: frozenset[RepairState] = ON_BENCH) -> None:
    if order.state not in states:
        raise StateConflict(N_("Order %(number)s is %(current)s: not on the bench"), current=order.state.value,
                            allowed=[s.value for s in RepairState if s in states], number=order.number)


# --- take into diagnosis ----------------------------------------------------------------------

def take_order(session: Session, actor: User, order: RepairOrder) -> RepairOrder:
    """Take a received order into diagnosis: assign it to the actor (when unassigned) and start.

    Two people taking the same order at once: the assignment is one conditional UPDATE (only while
    the order is received and unassigned or already the actor's), so one gets it and the other is
    told who has it; the loser's transaction changes nothing.
    """
    if actor.role not in BENCH_WORKERS:
        raise PermissionDenied(N_("Only an engineer takes orders into diagnosis"))
    check_center(actor, order.center_id)
    if order.state != RepairState.RECEIVED:
        _refuse_taken(session, order, actor)
    if order.engineer_id not in (None, actor.id):
        _refuse_taken(session, order, actor)
    before = order.engineer_id
    claimed = session.execute(
        update(RepairOrder)
        .where(RepairOrder.id == order.id, RepairOrder.state == RepairState.RECEIVED,
               or_(RepairOrder.engineer_id.is_(None), RepairOrder.engineer_id == actor.id))
        .values(engineer_id=actor.id, version=RepairOrder.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(order)  # the row as it is now (ours, or the winner's)
    if claimed != 1:
        _refuse_taken(session, order, actor)
    if before is None:
        record_event(session, actor=actor, kind=EventKind.ASSIGNMENT, order=order, from_value=None,
                     to_value=actor.name)
    apply_transition(session, order, RepairState.DIAGNOSIS, actor)
    return order


def _refuse_taken(session: Session, order: RepairOrder, actor: User) -> None:
    if order.engineer_id not in (None, actor.id):
        engineer = session.get(User, order.engineer_id)
        raise StateConflict(N_("Order %(number)s is already taken by %(name)s"), current=order.state.value,
                            allowed=[], number=order.number, name=engineer.name if engineer else "?")
    raise StateConflict(N_("Order %(number)s is %(current)s: only a received order can be taken"),
                        current=order.state.value, allowed=[], number=order.number)


# --- diagnosis codes --------------------------------------------------------------------------

def _code(session: Session, code_id: int | str | None, kind: CodeKind, category: str, field: str,
          errors: dict[str, str], required: bool = True) -> DiagnosisCode | None:
    if code_id in (None, ""):
        if required:
            errors[field] = N_("Choose a code")
        return None
    found = parse_id(code_id)
    code = session.get(DiagnosisCode, found) if found is not None else None
    if code is None or code.kind != kind:
        errors[field] = N_("Unknown code")
    elif not code.active:
        errors[field] = N_("This code is no longer in use")
    elif code.category.strip().lower() != category.strip().lower():
        errors[field] = N_("This code belongs to another product category")
    else:
        return code
    return None


def record_diagnosis(session: Session, actor: User, order: RepairOrder, *, symptom_id: int | str | None,
                     cause_id: int | str | None, action_id: int | str | None = None,
                     text: str = "") -> OrderDiagnosis:
    """Record the coded diagnosis (symptom → cause → action of the unit's category) and its free text."""
    check_bench(actor, order)
    _on_bench(order)
    category = order_category(session, order)
    if not category:
        raise ValidationFailed(N_("The order has no unit: there is no category to diagnose"),
                               errors={"unit": N_("Required")})
    errors: dict[str, str] = {}
    symptom = _code(session, symptom_id, CodeKind.SYMPTOM, category, "symptom", errors)
    cause = _code(session, cause_id, CodeKind.CAUSE, category, "cause", errors)
    action = _code(session, action_id, CodeKind.ACTION, category, "action", errors, required=False)
    if len(str(text or "").strip()) > 4000:
        errors["diagnosis"] = N_("Too long")
    if errors:
        raise ValidationFailed(N_("The diagnosis was not recorded"), errors=errors)
    assert symptom is not None and cause is not None
    row = session.scalar(select(OrderDiagnosis).where(OrderDiagnosis.order_id == order.id))
    before = _codes_text(row) if row else None
    if row is None:
        row = OrderDiagnosis(order_id=order.id)
        session.add(row)
    row.symptom_id, row.cause_id, row.action_id = symptom.id, cause.id, action.id if action else None
    row.recorded_by_id, row.recorded_at = actor.id, utcnow()
    row.symptom, row.cause, row.action = symptom, cause, action
    if _text(text):
        order.diagnosis = _text(text)
    after = _codes_text(row)
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field="diagnosis",
                 from_value=before, to_value=after, text=_text(text, 500),
                 message=N_("Diagnosis recorded: %(codes)s"), params={"codes": after})
    session.flush()
    return row


def _codes_text(row: OrderDiagnosis) -> str:
    codes = [row.symptom, row.cause, row.action]
    return " → ".join(f"{c.code} {c.name}" for c in codes if c is not None)


# Built once, values as parameters: the order page reads both (see repairs/queries.py).
_ORDER_DIAGNOSIS = (select(OrderDiagnosis).where(OrderDiagnosis.order_id == bindparam("order_id"))
                    .options(joinedload(OrderDiagnosis.symptom), joinedload(OrderDiagnosis.cause),
                             joinedload(OrderDiagnosis.action)))
_ORDER_WORK = (select(WorkLog).where(WorkLog.order_id == bindparam("order_id"))
               .order_by(WorkLog.performed_on, WorkLog.id))


def get_order_diagnosis(session: Session, order: RepairOrder) -> OrderDiagnosis | None:
    """The order's coded diagnosis, if recorded, with its three codes (the bench shows them)."""
    return session.scalar(_ORDER_DIAGNOSIS, {"order_id": order.id})


# --- labour -----------------------------------------------------------------------------------

def _minutes(value: int | str | None) -> int:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(N_("Enter the time in whole minutes"),
                               errors={"minutes": N_("Whole minutes")}) from None
    if minutes <= 0:
        raise ValidationFailed(N_("The time must be more than zero"), errors={"minutes": N_("More than zero")})
    if minutes > MAX_MINUTES:
        raise ValidationFailed(N_("One entry is at most 24 hours (1440 minutes); %(minutes)s is too many"),
                               errors={"minutes": N_("At most 1440")}, minutes=minutes)
    return minutes


def log_work(session: Session, actor: User, order: RepairOrder, minutes: int | str | None, description: str,
             performed_on: date | None = None) -> WorkLog:
    """Log labour on an open order on the bench: minutes (1..1440), what was done, on which day."""
    check_bench(actor, order, BENCH_WORKERS)
    _on_bench(order)
    minutes = _minutes(minutes)
    today = local_date(utcnow(), order.center.timezone)
    performed_on = performed_on or today
    if performed_on > today:
        raise ValidationFailed(N_("Work cannot be logged for a day in the future"),
                               errors={"performed_on": N_("In the future")})
    if performed_on < today - timedelta(days=MAX_BACKDATE_DAYS):
        raise ValidationFailed(N_("Work can be logged for the last %(days)s days only"),
                               errors={"performed_on": N_("Too long ago")}, days=MAX_BACKDATE_DAYS)
    if not _text(description):
        raise ValidationFailed(N_("Say what was done"), errors={"description": N_("Required")})
    entry = WorkLog(order_id=order.id, user_id=actor.id, performed_on=performed_on, minutes=minutes,
                    description=_text(description))
    session.add(entry)
    session.flush()
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field="work", minutes=minutes,
                 performed_on=performed_on.isoformat(), text=_text(description, 500),
                 message=N_("%(minutes)s min of work logged: %(text)s"),
                 params={"minutes": minutes, "text": _text(description, 200)})
    session.flush()
    return entry


def list_work(session: Session, order: RepairOrder) -> list[WorkLog]:
    """Labour logged on the order, oldest first."""
    return list(session.scalars(_ORDER_WORK, {"order_id": order.id}))


# --- checklist --------------------------------------------------------------------------------

def tick_checklist_item(session: Session, actor: User, order: RepairOrder, item_id: int | str,
                        ticked: bool = True) -> bool:
    """Tick (or untick) a line of the order's checklist; True when something changed."""
    check_bench(actor, order)
    _on_bench(order)
    try:
        wanted = int(item_id)
    except (TypeError, ValueError):
        wanted = -1
    item = next((i for i in list_checklist(session, order_category(session, order)) if i.id == wanted), None)
    if item is None:
        raise ValidationFailed(N_("This item is not on the order's checklist"), errors={"item": N_("Unknown")})
    tick = session.scalar(select(ChecklistTick).where(ChecklistTick.order_id == order.id,
                                                      ChecklistTick.item_id == item.id))
    if ticked == (tick is not None):
        return False
    if ticked:
        session.add(ChecklistTick(order_id=order.id, item_id=item.id, user_id=actor.id, at=utcnow()))
    else:
        session.execute(delete(ChecklistTick).where(ChecklistTick.id == tick.id))
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field="checklist", item=item.text,
                 to_value="ticked" if ticked else "unticked",
                 message=N_("Checklist: %(item)s ticked") if ticked else N_("Checklist: %(item)s unticked"),
                 params={"item": item.text})
    session.flush()
    return True
