"""An order's words on paper and in exports, in a given language, without a request: the msgids of its
type, payer and priority, the warranty decision's reason, the terms printed on the work order.

The screen's labels (workstations/labels.py) are built from the same msgids, so both say the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.errors import N_
from servicecenter.repairs.documents import Words
from servicecenter.repairs.models import (
    EventKind,
    OrderType,
    Outcome,
    Payer,
    Priority,
    RepairEvent,
    RepairOrder,
    initial_payer,
)
from servicecenter.repairs.states import RepairState

Gettext = Callable[..., str]  # gettext(msgid, **params)

STATE = {
    RepairState.REGISTERED: N_("Registered"),
    RepairState.RECEIVED: N_("Received"),
    RepairState.DIAGNOSIS: N_("Diagnosis"),
    RepairState.AWAITING_APPROVAL: N_("Awaiting approval"),
    RepairState.AWAITING_PARTS: N_("Awaiting parts"),
    RepairState.IN_REPAIR: N_("In repair"),
    RepairState.READY_FOR_PICKUP: N_("Ready for pickup"),
    RepairState.ISSUED: N_("Issued"),
    RepairState.CANCELLED: N_("Cancelled"),
}
OUTCOME = {
    Outcome.REPAIRED: N_("Repaired"),
    Outcome.REPLACED: N_("Replaced"),
    Outcome.REFUSED: N_("Refused"),
    Outcome.UNREPAIRABLE: N_("Unrepairable"),
}
ORDER_TYPE = {
    OrderType.WARRANTY: N_("Warranty"),
    OrderType.PAID: N_("Paid"),
    OrderType.REPEAT: N_("Repeat repair"),
    OrderType.PRESALE: N_("Pre-sale check"),
}
PAYER = {
    Payer.CUSTOMER: N_("the customer"),
    Payer.MANUFACTURER: N_("the manufacturer"),
    Payer.SERVICE_CENTER: N_("our service center"),
    Payer.DEALER: N_("the dealer"),
}
PRIORITY = {
    Priority.LOW: N_("Low"),
    Priority.NORMAL: N_("Normal"),
    Priority.HIGH: N_("High"),
    Priority.URGENT: N_("Urgent"),
}
TERMS = N_("The service center keeps the unit safe while it is in repair. Diagnosis takes up to 3 working "
           "days; warranty repairs are finished within 45 days. Collect the unit within 30 days of being "
           "told it is ready. Keep this work order: the unit is handed back against it.")


def word(gettext: Gettext, mapping: dict, value: object) -> str:
    """The translated word of an enum value, or the raw value when it has none."""
    if value is None:
        return ""
    msgid = mapping.get(value)
    return gettext(msgid) if msgid is not None else str(getattr(value, "value", value))


def warranty_text(order: RepairOrder, history: Sequence[RepairEvent], gettext: Gettext) -> str:
    """The warranty reason in the reader's language when the system gave it, else as typed."""
    for event in reversed(history):
        if event.kind == EventKind.WARRANTY:
            template = event.details.get("message")
            if template and not event.details.get("override"):
                return gettext(template, **event.details.get("params", {}))
            break
    return order.warranty_reason


def warranty_events(session: Session, order_ids: Sequence[int]) -> dict[int, list[RepairEvent]]:
    """The warranty decisions of several orders in one query, oldest first (for a printed batch)."""
    found: dict[int, list[RepairEvent]] = {order_id: [] for order_id in order_ids}
    for event in session.scalars(select(RepairEvent).where(
            RepairEvent.order_id.in_(list(order_ids)), RepairEvent.kind == EventKind.WARRANTY).order_by(RepairEvent.id)):
        found.setdefault(event.order_id, []).append(event)
    return found


def work_order_words(order: RepairOrder, history: Sequence[RepairEvent], gettext: Gettext) -> Words:
    """The texts of a work order in the translator's language (paper is Russian: pass its translator).
    `history` is the order's history, or at least its warranty events."""
    payer = word(gettext, PAYER, initial_payer(order.order_type, order.warranty_covered))
    return Words(order_type=gettext("%(type)s, paid by %(payer)s", type=word(gettext, ORDER_TYPE, order.order_type),
                                    payer=payer),
                 priority=word(gettext, PRIORITY, order.priority),
                 warranty=warranty_text(order, history, gettext),
                 terms=gettext(TERMS))
