"""Due dates of one order: computed when it is received, moved along with its state, paused and
resumed. Called by `repairs.services` (intake, transitions, warranty decisions) and by logistics
(`pause`/`resume` for a unit in transit). These functions flush nothing themselves: the caller's
operation flushes once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import ServiceContract
from servicecenter.deadlines.calendar import Calculator, Terms, WorkCalendar, legal_due
from servicecenter.deadlines.models import CalendarDay, DeadlineRule
from servicecenter.deadlines.terms import (
    PAUSE_APPROVAL,
    PAUSE_REASONS,
    PAUSE_ROUTED,
    PAUSE_TRANSIT,
    TIMED_STATES,
    ContractTerms,
    binding_due,
    choose_terms,
    is_warranty,
    risk_moment,
)
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.repairs.states import RepairState

PAUSE_MESSAGES = {
    PAUSE_APPROVAL: N_("Internal deadlines paused while the customer decides on the estimate"),
    PAUSE_TRANSIT: N_("Internal deadlines paused while the unit is in transit"),
    PAUSE_ROUTED: N_("Routed to another center: its deadlines start when it receives the unit"),
}
STARTED_AT_CENTER = N_("Deadlines of %(center)s started on receipt of the unit")
RESUMED = N_("Internal deadlines resumed; moved later by %(hours)s h")


# --- Loading what the computation needs ---------------------------------------------------------

def load_rules(session: Session, center_id: int) -> list[DeadlineRule]:
    """The center's active rules (a handful; the choice among them is made in Python)."""
    return list(session.scalars(select(DeadlineRule).where(
        DeadlineRule.center_id == center_id, DeadlineRule.active.is_(True)).order_by(DeadlineRule.id)))


def load_calendar(session: Session, center_id: int) -> WorkCalendar:
    """The network's holidays and worked days, with the center's own entries winning by date."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.working, CalendarDay.center_id).where(
        (CalendarDay.center_id == center_id) | CalendarDay.center_id.is_(None)))
    days: dict = {}
    for day, working, _owner in sorted(rows, key=lambda r: r[2] is not None):  # the center's last
        days[day] = working
    return WorkCalendar(holidays=frozenset(d for d, w in days.items() if not w),
                        working_days=frozenset(d for d, w in days.items() if w))


def _center(session: Session, order: RepairOrder) -> ServiceCenter:
    # By id: the order may not be in the session yet (computed before its first INSERT).
    center = session.get(ServiceCenter, order.center_id)
    assert center is not None
    return center


def calculator(session: Session, center: ServiceCenter) -> Calculator:
    return Calculator(center.timezone, load_calendar(session, center.id))


def contract_terms(contract: ServiceContract | None) -> ContractTerms | None:
    if contract is None:
        return None
    return ContractTerms(contract.id, contract.valid_from, contract.valid_to, contract.diagnosis_days,
                         contract.repair_days)


def order_terms(session: Session, order: RepairOrder, rules: list[DeadlineRule] | None = None) -> Terms:
    """The terms that bind this order (its center's best rule for its brand and contract)."""
    unit = session.get(Unit, order.unit_id) if order.unit_id is not None else None
    contract = contract_terms(session.get(ServiceContract, unit.contract_id)
                              if unit is not None and unit.contract_id is not None else None)
    if (contract is not None and order.received_at is not None
            and not contract.covers(local_date(order.received_at, _center(session, order).timezone))):
        contract = None
    return choose_terms(load_rules(session, order.center_id) if rules is None else rules,
                        manufacturer_id=unit.manufacturer_id if unit is not None else None,
                        contract=contract, warranty=is_warranty(order.order_type, order.warranty_covered))


# --- Setting an order's dates ----------------------------------------------------------------------

def refresh_binding(order: RepairOrder, terms: Terms) -> None:
    """due_at and risk_at from the order's dates and its current stage."""
    order.due_at = binding_due(order.state, order.diagnosis_due, order.repair_due, order.legal_due,
                               order.deadline_paused_at is not None)
    order.risk_at = risk_moment(order.due_at, terms.margin)


def compute_dates(session: Session, order: RepairOrder, terms: Terms | None = None) -> Terms:
    """All due dates of a received order from its intake moment (or the moment its center's clock
    restarted), its terms and the time spent paused. The legal limit counts from intake, in the time
    zone of the center that took the unit in."""
    terms = terms or order_terms(session, order)
    if order.received_at is None:
        order.diagnosis_due = order.repair_due = order.legal_due = None
    else:
        warranty = is_warranty(order.order_type, order.warranty_covered)
        dates = calculator(session, _center(session, order)).due_dates(
            order.clock_restarted_at or order.received_at, terms, warranty=warranty,
            paused=timedelta(seconds=order.deadline_paused_seconds or 0))
        order.diagnosis_due, order.repair_due = dates.diagnosis_due, dates.repair_due
        intake = session.get(ServiceCenter, order.intake_center_id or order.center_id)
        order.legal_due = legal_due(order.received_at, intake.timezone) if warranty and intake else None
    refresh_binding(order, terms)
    return terms


def _pause(session: Session, order: RepairOrder, reason: str, now: datetime, actor: User | None) -> None:
    order.deadline_paused_at = now
    order.deadline_pause_reason = reason
    record_event(session, actor=actor, kind=EventKind.DEADLINE, order=order, message=PAUSE_MESSAGES[reason],
                 params={}, reason=reason)


def _resume(session: Session, order: RepairOrder, now: datetime, actor: User | None) -> None:
    paused_at = order.deadline_paused_at
    assert paused_at is not None
    elapsed = max(timedelta(0), now - paused_at)
    order.deadline_paused_seconds = (order.deadline_paused_seconds or 0) + int(elapsed.total_seconds())
    # The internal clock stood still: its due dates move later by the time spent paused.
    shift = timedelta(seconds=int(elapsed.total_seconds()))
    if order.diagnosis_due is not None:
        order.diagnosis_due += shift
    if order.repair_due is not None:
        order.repair_due += shift
    reason = order.deadline_pause_reason
    order.deadline_paused_at = None
    order.deadline_pause_reason = ""
    record_event(session, actor=actor, kind=EventKind.DEADLINE, order=order, message=RESUMED,
                 params={"hours": round(elapsed.total_seconds() / 3600, 1)}, reason=reason)


def on_state_change(session: Session, order: RepairOrder, source: RepairState | None, target: RepairState,
                    now: datetime, actor: User | None = None) -> None:
    """Keep the order's due dates right after its state changed (`order.state` is already `target`).

    Reads without autoflush: the caller's one flush writes the order once (one version bump)."""
    with session.no_autoflush:
        _on_state_change(session, order, source, target, now, actor)


def _on_state_change(session: Session, order: RepairOrder, source: RepairState | None, target: RepairState,
                     now: datetime, actor: User | None) -> None:
    if target == RepairState.RECEIVED and source in (None, RepairState.REGISTERED):
        order.received_at = order.received_at or now
        order.deadline_paused_seconds = 0
        compute_dates(session, order)
        return
    if order.received_at is None:
        return
    terms = order_terms(session, order)
    if source == target:  # e.g. a revised estimate: still waiting, the pause goes on
        refresh_binding(order, terms)
        return
    paused = order.deadline_paused_at is not None
    if paused and (target not in TIMED_STATES
                   or source == RepairState.AWAITING_APPROVAL and order.deadline_pause_reason == PAUSE_APPROVAL):
        _resume(session, order, now, actor)
    if target == RepairState.AWAITING_APPROVAL and terms.pause_on_approval and order.deadline_paused_at is None:
        _pause(session, order, PAUSE_APPROVAL, now, actor)
    refresh_binding(order, terms)


def on_warranty_change(session: Session, order: RepairOrder) -> None:
    """A warranty decision changes the terms (warranty or paid rule) and whether the legal limit applies."""
    if order.received_at is not None and order.state in TIMED_STATES:
        with session.no_autoflush:
            compute_dates(session, order)  # a running pause is added when it ends


def pause(session: Session, order: RepairOrder, reason: str, *, now: datetime | None = None,
          actor: User | None = None) -> bool:
    """Stop the order's internal deadlines for `reason` ("approval" or "transit") when its rule says
    so; the legal limit keeps running. False (nothing changed) when the rule does not pause for this
    reason, the order is not being worked on, or it is already paused."""
    return pause_all(session, [order], reason, now=now, actor=actor) == 1


def pause_all(session: Session, orders: Iterable[RepairOrder], reason: str, *, now: datetime | None = None,
              actor: User | None = None) -> int:
    """`pause` for many orders at once (a shipment's units leaving): each center's rules read once, one
    flush at the end. Returns how many orders were paused."""
    if reason not in PAUSE_REASONS:
        raise ValueError(f"unknown pause reason {reason!r}")
    now = now or utcnow()
    rules: dict[int, list[DeadlineRule]] = {}
    paused = 0
    for order in orders:
        if order.received_at is None or order.state not in TIMED_STATES or order.deadline_paused_at is not None:
            continue
        if order.center_id not in rules:
            rules[order.center_id] = load_rules(session, order.center_id)
        terms = order_terms(session, order, rules[order.center_id])
        if not (terms.pause_on_approval if reason == PAUSE_APPROVAL else terms.pause_in_transit):
            continue
        _pause(session, order, reason, now, actor)
        refresh_binding(order, terms)
        paused += 1
    session.flush()
    return paused


def resume(session: Session, order: RepairOrder, *, reason: str | None = None, now: datetime | None = None,
           actor: User | None = None) -> bool:
    """Restart a paused order's internal deadlines, moving them later by the time paused. With a
    `reason`, only a pause for that reason ends (the unit arrived: a pause for approval stays)."""
    if order.deadline_paused_at is None or reason is not None and order.deadline_pause_reason != reason:
        return False
    with session.no_autoflush:
        _resume(session, order, now or utcnow(), actor)
        refresh_binding(order, order_terms(session, order))
    session.flush()
    return True


def hand_over(session: Session, order: RepairOrder, *, now: datetime | None = None,
              actor: User | None = None) -> None:
    """The order was routed to another center: this center's internal clock stops (a pause running
    for another reason ends first) until the new center receives the unit (`start_at_center`). The
    legal limit keeps running."""
    if order.received_at is None or order.state not in TIMED_STATES:
        return
    now = now or utcnow()
    with session.no_autoflush:
        if order.deadline_paused_at is not None and order.deadline_pause_reason != PAUSE_ROUTED:
            _resume(session, order, now, actor)
        if order.deadline_paused_at is None:
            _pause(session, order, PAUSE_ROUTED, now, actor)
        refresh_binding(order, order_terms(session, order))


def start_at_center(session: Session, order: RepairOrder, *, now: datetime | None = None,
                    actor: User | None = None) -> bool:
    """The center the order was routed to received its unit: its own internal deadlines start now,
    by its own rules and calendar (nothing of the time spent elsewhere carries over). False when the
    order was not waiting for that."""
    if order.deadline_paused_at is None or order.deadline_pause_reason != PAUSE_ROUTED:
        return False
    now = now or utcnow()
    with session.no_autoflush:
        order.deadline_paused_at = None
        order.deadline_pause_reason = ""
        order.deadline_paused_seconds = 0
        order.clock_restarted_at = now
        terms = compute_dates(session, order)
        center = _center(session, order)
        record_event(session, actor=actor, kind=EventKind.DEADLINE, order=order, message=STARTED_AT_CENTER,
                     params={"center": center.code}, reason=PAUSE_ROUTED)
        if order.state == RepairState.AWAITING_APPROVAL and terms.pause_on_approval:
            _pause(session, order, PAUSE_APPROVAL, now, actor)
            refresh_binding(order, terms)
    session.flush()
    return True


def deadline_status(order: RepairOrder, now: datetime | None = None) -> str | None:
    """"overdue", "at_risk", "on_time", or None when no due date binds the order now."""
    if order.due_at is None:
        return None
    now = now or utcnow()
    if order.due_at < now:
        return "overdue"
    if order.risk_at is not None and order.risk_at <= now:
        return "at_risk"
    return "on_time"
