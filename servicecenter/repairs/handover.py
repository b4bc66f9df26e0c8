"""Handing a unit back at the counter: what is due, payment, the issue itself, where the unit went."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.clock import utcnow
from servicecenter.errors import N_, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, Outcome, RepairOrder
from servicecenter.repairs.services import _check_version, apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason
from servicecenter.stock.places import customer_location

PAYMENT_METHODS = ("cash", "card", "transfer")
ZERO = Decimal("0.00")


def amount_due(order: RepairOrder) -> Decimal:
    """What the customer pays at hand-back: an approved estimate of paid work, else nothing."""
    if order.warranty_covered or not order.approved or order.estimate_total is None:
        return ZERO
    if order.outcome not in (Outcome.REPAIRED, Outcome.REPLACED):
        return ZERO
    return order.estimate_total.quantize(Decimal("0.01"))


def prints_conclusion(order: RepairOrder) -> bool:
    """Refused or unrepairable repairs are handed back with a technical conclusion, not an act."""
    return order.outcome in (Outcome.REFUSED, Outcome.UNREPAIRABLE)


def _money(raw: object) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(" ", "").replace("\u00a0", "").replace(",", "."))
        return value.quantize(Decimal("0.01")) if value.is_finite() else None
    except InvalidOperation:  # not a number, or too large to be kopecks (1e30)
        return None


def issue_to_customer(session: Session, actor: User, order: RepairOrder, *, amount_paid: object = None,
                      payment_method: str = "", expected_version: int | None = None) -> RepairOrder:
    """Hand the unit back: take the payment due, issue the order, move the unit to the customer."""
    if order.state != RepairState.READY_FOR_PICKUP:
        raise StateConflict(N_("Order %(number)s is %(current)s; only a ready unit is handed back"),
                            current=order.state.value, allowed=[], number=order.number)
    # The version the clerk saw is checked before anything changes: the payment fields below make the
    # order dirty, and a query on the way (whether the unit is back at this counter) flushes them,
    # which already counts as the next version. The flush still refuses a concurrent change.
    _check_version(order, expected_version)
    due = amount_due(order)
    paid = _money(amount_paid)
    if due > 0:
        errors = {}
        if paid is None or paid != due:
            errors["amount_paid"] = N_("Take exactly the amount due")
        if payment_method not in PAYMENT_METHODS:
            errors["payment_method"] = N_("Choose how the customer paid")
        if errors:
            raise ValidationFailed(N_("%(due)s is due for this repair"), errors=errors, due=f"{due:.2f}")
    order.amount_due = due
    if due > 0:
        order.amount_paid, order.payment_method, order.paid_at = paid, payment_method, utcnow()
        record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field="payment",
                     to_value=f"{paid:.2f}", method=payment_method)
    apply_transition(session, order, RepairState.ISSUED, actor)
    unit = order.unit
    if unit is not None:
        customer = customer_location(session)
        if unit.location_id != customer.id:
            journal.move_unit(session, actor, unit, customer, MoveReason.HANDOVER, order=order)
    session.flush()
    return order

