"""Operations on repair orders. Each takes a session and an actor, flushes, never commits.

`apply_transition` is the one function that writes an order's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer
from servicecenter.deadlines import services as deadlines
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, ConcurrentUpdate, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, OrderType, Outcome, Priority, RepairOrder
from servicecenter.repairs.numbering import next_order_number
from servicecenter.repairs.repeats import mark_repeat
from servicecenter.repairs.signals import state_changed
from servicecenter.repairs.states import (
    COUNTER,
    WARRANTY_DECIDERS,
    RepairState,
    allowed_targets,
    get_transition,
)

REGISTER_ROLES = COUNTER | {Role.CALL_CENTER}
ASSIGN_ROLES = frozenset({Role.TEAM_LEAD, *PARTNER_ROLES, Role.ADMIN})
MAX_TEXT = 4000


def check_center(actor: User, center_id: int) -> None:
    """Staff of a center work on their center's orders; network roles on any."""
    if not actor.works_network_wide and actor.center_id != center_id:
        raise PermissionDenied(N_("This order belongs to another service center"))


def check_counter(actor: User, order: RepairOrder) -> None:
    """Who hands a unit back: the order's center; for an order routed to a partner, the center that
    took it in (the customer's counter), once the unit is back there — not the partner."""
    routed = order.center_id != order.intake_center_id
    if actor.works_network_wide or (actor.center_id == order.center_id and not routed):
        return
    if actor.center_id != order.intake_center_id:
        raise PermissionDenied(N_("This order belongs to another service center"))
    unit = order.unit
    where = unit.location.center_id if unit is not None and unit.location is not None else None
    if unit is not None and where != actor.center_id:
        raise StateConflict(N_("The unit of order %(number)s is not back at your center yet"),
                            current=order.state.value, allowed=[], number=order.number)


CHANGED_MEANWHILE = N_("Order %(number)s was changed by someone else a moment ago; reload it and try again")


def _check_version(order: RepairOrder, expected_version: int | None) -> None:
    """Refuse when the caller saw an older version of the order than the current one."""
    if expected_version is not None and int(expected_version) != order.version:
        raise ConcurrentUpdate(CHANGED_MEANWHILE, number=order.number)


def _flush(session: Session, order: RepairOrder) -> None:
    number = order.number  # read now: a failed flush expires the object
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentUpdate(CHANGED_MEANWHILE, number=number) from exc


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return str(value or "").strip()[:limit]


def create_order(
    session: Session,
    actor: User,
    *,
    center: ServiceCenter,
    customer: Customer,
    unit: Unit | None,
    fault: str,
    condition: str = "",
    accessories: list[str] | None = None,
    order_type: OrderType | str = OrderType.PAID,
    priority: Priority | str = Priority.NORMAL,
    pre_register: bool = False,
    warranty_covered: bool | None = None,
    warranty_reason: str = "",
    idempotency_key: str | None = None,
) -> RepairOrder:
    """Register a visit (pre_register) or receive a unit at the counter; numbers the order.
    `idempotency_key`: the request's own key, kept on the order so that a replay finds it."""
    roles = REGISTER_ROLES if pre_register else COUNTER
    if actor.role not in roles:
        raise PermissionDenied(N_("Your role may not create orders"))
    check_center(actor, center.id)
    errors: dict[str, str] = {}
    if not _text(fault):
        errors["fault"] = N_("Describe the fault")
    if not pre_register and unit is None:
        errors["unit"] = N_("Required")
    try:
        order_type, priority = OrderType(order_type), Priority(priority)
    except ValueError:
        errors["order_type"] = N_("Unknown value")
    if errors:
        raise ValidationFailed(N_("The order was not created"), errors=errors)
    now = utcnow()
    state = RepairState.REGISTERED if pre_register else RepairState.RECEIVED
    order = RepairOrder(
        number=next_order_number(session, center, now),
        idempotency_key=idempotency_key,
        center_id=center.id,
        intake_center_id=center.id,
        customer_id=customer.id,
        order_type=order_type,
        state=state,
        priority=priority,
        fault=_text(fault),
        condition=_text(condition),
        accessories=[_text(a, 100) for a in (accessories or []) if _text(a, 100)],
        warranty_covered=warranty_covered,
        warranty_reason=_text(warranty_reason, 500),
        created_at=now,
        received_at=None if pre_register else now,
    )
    order.put_unit(unit)
    if not pre_register:
        mark_repeat(session, order, now)
        deadlines.on_state_change(session, order, None, state, now, actor)
    session.add(order)
    session.flush()
    created = record_event(session, actor=actor, kind=EventKind.CREATED, order=order, to_value=state.value,
                           number=order.number, center=center.code)
    if not pre_register:
        from servicecenter.stock.places import receive_unit_at_counter  # stock builds on repairs

        receive_unit_at_counter(session, actor, order)
    _flush(session, order)
    state_changed(session, order, None, state, created)
    return order


# What each edge writes besides the state, keyed by the action named in the table.
def _set_ready(order: RepairOrder, fields: Mapping[str, Any], now: datetime) -> None:
    order.outcome = Outcome(fields["outcome"])
    order.outcome_note = _text(fields.get("outcome_note"))
    order.ready_at = now


def _set_diagnosis(order: RepairOrder, fields: Mapping[str, Any], _now: datetime) -> None:
    if _text(fields.get("diagnosis")):
        order.diagnosis = _text(fields.get("diagnosis"))


def _set_estimate(order: RepairOrder, fields: Mapping[str, Any], now: datetime) -> None:
    _set_diagnosis(order, fields, now)
    order.estimate_total = Decimal(str(fields["estimate_total"]).replace(",", ".").replace(" ", "")).quantize(
        Decimal("0.01"))
    order.approved = None


def _approve(order: RepairOrder, _fields: Mapping[str, Any], _now: datetime) -> None:
    order.approved = True


def _revise_estimate(order: RepairOrder, _fields: Mapping[str, Any], _now: datetime) -> None:
    # The customer has seen a price: no work until they approve the next version.
    order.approved = None
    order.approval_required = True


def _decline(order: RepairOrder, fields: Mapping[str, Any], now: datetime) -> None:
    order.approved = False
    _set_ready(order, fields, now)


def _finish(order: RepairOrder, fields: Mapping[str, Any], now: datetime) -> None:
    _set_ready(order, fields, now)
    # A completed warranty repair becomes its settlement lines in this same transaction.
    from servicecenter.settlements.completion import record_completion  # settlements build on repairs

    record_completion(object_session(order), order, now)


def _close(order: RepairOrder, fields: Mapping[str, Any], now: datetime) -> None:
    _set_diagnosis(order, fields, now)
    _set_ready(order, fields, now)


def _receive(order: RepairOrder, _fields: Mapping[str, Any], now: datetime) -> None:
    order.received_at = now
    mark_repeat(object_session(order), order, now)


def _issue(order: RepairOrder, _fields: Mapping[str, Any], now: datetime) -> None:
    order.issued_at = now


def _cancel(order: RepairOrder, fields: Mapping[str, Any], _now: datetime) -> None:
    order.cancel_reason = _text(fields.get("reason"))
    # Its reserved parts go back to free stock and its open part requests are withdrawn.
    from servicecenter.stock.services import release_order_parts  # stock builds on this module

    release_order_parts(object_session(order), order)


Effect = Callable[[RepairOrder, Mapping[str, Any], datetime], None]
_EFFECTS: dict[str, Effect] = {
    "receive": _receive,
    "request_approval": _set_estimate,
    "start_repair": _set_diagnosis,
    "wait_for_parts": _set_diagnosis,
    "close_without_repair": _close,
    "approve": _approve,
    "approve_wait_parts": _approve,
    "decline": _decline,
    "revise_estimate": _revise_estimate,
    "finish": _finish,
    "issue": _issue,
    "cancel": _cancel,
}


def apply_transition(
    session: Session,
    order: RepairOrder,
    to: RepairState | str,
    actor: User,
    *,
    expected_version: int | None = None,
    **fields: Any,
) -> RepairOrder:
    """Move an order along one edge of the state table, or refuse and change nothing."""
    try:
        target = RepairState(to)
    except ValueError as exc:
        raise ValidationFailed(N_("Unknown state %(to)s"), errors={"to": N_("Unknown state")},
                               to=str(to)[:40]) from exc
    source = order.state
    transition = get_transition(source, target)
    if transition is None:
        raise StateConflict(
            N_("Order %(number)s is %(current)s; from there it can go to: %(allowed)s"),
            current=source.value, allowed=allowed_targets(source, actor.role), number=order.number,
        )
    if actor.role not in transition.roles:
        raise PermissionDenied(N_("Your role may not do this: %(action)s"), action=transition.label)
    if target == RepairState.ISSUED:
        check_counter(actor, order)
    else:
        check_center(actor, order.center_id)
    _check_version(order, expected_version)
    accepted = {k: fields[k] for k in transition.fields if k in fields}
    transition.guard(order, accepted)
    now = utcnow()
    effect = _EFFECTS.get(transition.action)
    if effect is not None:
        effect(order, accepted, now)
    order.state = target
    deadlines.on_state_change(session, order, source, target, now, actor)
    event = record_event(session, actor=actor, kind=EventKind.STATE, order=order, from_value=source.value,
                         to_value=target.value, action=transition.action,
                         **{k: _text(v, 500) for k, v in accepted.items()})
    _flush(session, order)
    state_changed(session, order, source, target, event)
    return order


def assign_engineer(session: Session, order: RepairOrder, engineer: User | None, actor: User,
                    *, expected_version: int | None = None) -> RepairOrder:
    """Assign (or unassign, engineer None) the order to an engineer of its center."""
    if actor.role not in ASSIGN_ROLES:
        raise PermissionDenied(N_("Only a team lead assigns orders"))
    check_center(actor, order.center_id)
    if engineer is not None and (engineer.center_id != order.center_id or not engineer.active
                                 or engineer.role not in (Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES)):
        raise ValidationFailed(N_("%(name)s cannot work on this center's orders"),
                               errors={"engineer": N_("Not an engineer of this center")}, name=engineer.name)
    _check_version(order, expected_version)
    if order.engineer_id == (engineer.id if engineer else None):
        return order
    previous = order.engineer
    order.engineer = engineer
    record_event(session, actor=actor, kind=EventKind.ASSIGNMENT, order=order,
                 from_value=previous.name if previous else None, to_value=engineer.name if engineer else None)
    _flush(session, order)
    return order


def decide_warranty(session: Session, order: RepairOrder, actor: User, *, covered: bool, reason: str,
                    expected_version: int | None = None) -> RepairOrder:
    """Record or revise the warranty decision; the reason is required and kept in history."""
    if actor.role not in WARRANTY_DECIDERS:
        raise PermissionDenied(N_("Your role may not decide on warranty"))
    check_center(actor, order.center_id)
    if not _text(reason):
        raise ValidationFailed(N_("A warranty decision needs a reason"), errors={"reason": N_("Required")})
    if order.state in (RepairState.ISSUED, RepairState.CANCELLED):
        raise StateConflict(N_("Order %(number)s is %(current)s; its warranty decision is final"),
                            current=order.state.value, allowed=[], number=order.number)
    _check_version(order, expected_version)
    before = order.warranty_covered
    order.warranty_covered = covered
    order.warranty_reason = _text(reason, 500)
    # Revised to paid once the unit is in the workshop: the customer approves the price before work
    # goes on (the states' guard); the payer follows `warranty_covered` (models.initial_payer).
    if covered:
        order.approval_required = False
    elif before is not False and order.state not in (RepairState.REGISTERED, RepairState.RECEIVED):
        order.approval_required, order.approved = True, None
    deadlines.on_warranty_change(session, order)
    record_event(session, actor=actor, kind=EventKind.WARRANTY, order=order,
                 from_value=None if before is None else ("warranty" if before else "paid"),
                 to_value="warranty" if covered else "paid", reason=order.warranty_reason)
    if order.approval_required and order.state in (RepairState.IN_REPAIR, RepairState.AWAITING_PARTS):
        # Work stops here: back to diagnosis, where the estimate is drawn up and sent.
        apply_transition(session, order, RepairState.DIAGNOSIS, actor, reason=order.warranty_reason)
        return order
    _flush(session, order)
    return order


def set_priority(session: Session, order: RepairOrder, actor: User, priority: Priority | str,
                 *, expected_version: int | None = None) -> RepairOrder:
    """Change an open order's priority (team lead); kept in history."""
    if actor.role not in ASSIGN_ROLES:
        raise PermissionDenied(N_("Only a team lead changes priorities"))
    check_center(actor, order.center_id)
    try:
        priority = Priority(priority)
    except ValueError as exc:
        raise ValidationFailed(N_("Unknown priority"), errors={"priority": N_("Unknown value")}) from exc
    if order.state in (RepairState.ISSUED, RepairState.CANCELLED):
        raise StateConflict(N_("Order %(number)s is %(current)s; its priority no longer matters"),
                            current=order.state.value, allowed=[], number=order.number)
    _check_version(order, expected_version)
    if order.priority == priority:
        return order
    before = order.priority
    order.priority = priority
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, from_value=before.value,
                 to_value=priority.value, field="priority")
    _flush(session, order)
    return order


def add_comment(session: Session, order: RepairOrder, actor: User, text: str) -> None:
    """A note on the order (a call, a remark); kept in its history."""
    check_center(actor, order.center_id)
    if not _text(text):
        raise ValidationFailed(N_("The comment is empty"), errors={"text": N_("Required")})
    record_event(session, actor=actor, kind=EventKind.COMMENT, order=order, text=_text(text))
    session.flush()
