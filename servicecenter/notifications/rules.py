"""When to notify: the order's state changes (customer notices) and parts arriving for an order waiting for
them (its engineer). Called inside the transaction of the change; they only write rows and outbox jobs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.notifications.models import NotificationKind
from servicecenter.notifications.services import list_leads, notify_customer, notify_user
from servicecenter.repairs.models import RepairEvent, RepairOrder
from servicecenter.repairs.signals import on_state_changed
from servicecenter.repairs.states import RepairState

# The states a customer hears about. AWAITING_APPROVAL is where request_approval (an estimate sent) leads.
CUSTOMER_NOTICES: dict[RepairState, NotificationKind] = {
    RepairState.RECEIVED: NotificationKind.RECEIVED,
    RepairState.AWAITING_APPROVAL: NotificationKind.ESTIMATE,
    RepairState.READY_FOR_PICKUP: NotificationKind.READY,
    RepairState.ISSUED: NotificationKind.ISSUED,
}


@on_state_changed
def notify_customer_of_state(session: Session, order: RepairOrder, source: RepairState | None,
                             target: RepairState, event: RepairEvent) -> None:
    """The customer hears when the unit is received, an estimate waits, it is ready, it is handed back."""
    kind = CUSTOMER_NOTICES.get(target)
    if kind is not None and source != target:
        notify_customer(session, order, kind, f"event:{event.id}")


def notify_parts_arrived(session: Session, center_id: int, part_id: int, quantity: int, receipt_id: int) -> int:
    """A part arrived at a center's warehouse: tell the engineer of every order there that waits for parts
    and has an open request for it (the team leads when nobody is assigned). Returns how many notices."""
    from servicecenter.stock.models import Part, PartRequest, PartRequestState  # stock builds on repairs

    waiting = select(PartRequest.order_id).where(PartRequest.center_id == center_id, PartRequest.part_id == part_id,
                                                 PartRequest.state == PartRequestState.OPEN)
    orders = session.scalars(select(RepairOrder).where(RepairOrder.id.in_(waiting),
                                                       RepairOrder.state == RepairState.AWAITING_PARTS)
                             .order_by(RepairOrder.id)).all()
    part = session.get(Part, part_id)
    params = {"part": f"{part.sku} {part.name}".strip() if part else str(part_id), "quantity": quantity}
    written = 0
    for order in orders:
        people = ([order.engineer] if order.engineer is not None and order.engineer.active
                  else list_leads(session, order.center_id))
        for user in people:
            written += notify_user(session, order, NotificationKind.PARTS_ARRIVED, f"receipt:{receipt_id}", user,
                                   params=params) is not None
    return written
