"""Receiving a shipment at its destination by scanning: accepted, unexpected; closing the receipt turns
what never came into missing lines, which stay in transit (traceable) until found or written off.

Who receives: the destination center's staff (a partner's users when it is a partner center); a
shipment to a manufacturer, which has no users here, is confirmed by the sending center.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.clock import utcnow
from servicecenter.deadlines import services as deadlines
from servicecenter.deadlines.terms import PAUSE_TRANSIT
from servicecenter.errors import N_, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.scanning import normalise_scan
from servicecenter.shipments.models import ItemState, Shipment, ShipmentItem, ShipmentState
from servicecenter.shipments.queries import DiscrepancyReport, find_line, get_discrepancy_report, unwalled
from servicecenter.shipments.services import (
    ScanOutcome,
    check_role,
    check_state,
    lock_shipment,
    open_order_of,
    parse_quantity,
    resolve_code,
)
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason

NOT_TRAVELLING = N_("Shipment %(number)s is not on its way (state: %(current)s); only a dispatched shipment is received")
ALREADY_RECEIVED = N_("Shipment %(number)s was already received by someone else")
LOST_IN_TRANSIT = N_("Lost in transit (shipment %(shipment)s): %(reason)s")


def check_receiver(actor: User, shipment: Shipment) -> None:
    """The destination center's staff receive; the sender confirms a delivery to a manufacturer."""
    check_role(actor)
    receiving_center = shipment.to_center_id if shipment.to_center_id is not None else shipment.from_center_id
    if actor.role != Role.ADMIN and actor.center_id != receiving_center:
        raise PermissionDenied(N_("Shipment %(number)s is received by its destination"), number=shipment.number)


def _arrived(session: Session, actor: User, shipment: Shipment, order: RepairOrder | None) -> None:
    """The unit is here: a deadline pause for the journey ends (one for the customer's approval stays);
    at the center the order was routed to, that center's own deadlines start now."""
    if order is None:
        return
    if order.center_id == shipment.to_center_id and deadlines.start_at_center(session, order, actor=actor):
        return
    deadlines.resume(session, order, reason=PAUSE_TRANSIT, actor=actor)


def receive_scanned(session: Session, actor: User, shipment: Shipment, raw: str, quantity: object = 1) -> ScanOutcome:
    """One scan at the destination: a listed unit or part is accepted (moved from transit to the destination);
    anything not listed is recorded as unexpected and taken in; the same unit twice stays one line."""
    check_receiver(actor, shipment)
    lock_shipment(session, shipment)
    check_state(shipment, ShipmentState.DISPATCHED, message=NOT_TRAVELLING)
    code = normalise_scan(raw)
    line = find_line(session, shipment, code)  # a listed unit, by its serial or its label
    if line is not None:
        unit = line.unit
    else:
        unit, _order, part = resolve_code(session, code, [shipment.transit_location_id])
        if part is not None:
            return _receive_part(session, actor, shipment, part, parse_quantity(quantity))
        assert unit is not None
        line = session.scalar(select(ShipmentItem).where(ShipmentItem.shipment_id == shipment.id,
                                                         ShipmentItem.unit_id == unit.id))
    if line is not None and line.state in (ItemState.RECEIVED, ItemState.UNEXPECTED):
        return ScanOutcome(line, False, N_("Unit %(serial)s was already received (one line)"), {"serial": unit.serial})
    destination = shipment.to_location
    if line is not None:
        journal.move_unit(session, actor, unit, destination, MoveReason.SHIPMENT, order=line.order, shipment=shipment)
        _arrived(session, actor, shipment, line.order)
        line.state, line.received_quantity = ItemState.RECEIVED, 1
        session.flush()
        return ScanOutcome(line, True, N_("Unit %(serial)s accepted"), {"serial": unit.serial})
    # Not on the packing list, but here: take it in where it physically is, and say so in the report.
    order = open_order_of(session, unit)
    if unit.location_id != destination.id:
        journal.move_unit(session, actor, unit, destination, MoveReason.SHIPMENT, order=order, shipment=shipment,
                          note="unexpected")
    line = ShipmentItem(shipment=shipment, unit_id=unit.id, order_id=order.id if order else None, quantity=1,
                        received_quantity=1, state=ItemState.UNEXPECTED, note="not on the packing list")
    session.add(line)
    session.flush()
    return ScanOutcome(line, True, N_("Unit %(serial)s is not on this shipment: recorded as unexpected"),
                       {"serial": unit.serial})


def _receive_part(session: Session, actor: User, shipment: Shipment, part, qty: int) -> ScanOutcome:  # noqa: ANN001
    lines = list(session.scalars(select(ShipmentItem).where(ShipmentItem.shipment_id == shipment.id,
                                                            ShipmentItem.part_id == part.id)))
    listed = next((li for li in lines if li.state != ItemState.UNEXPECTED), None)
    accepted = 0
    if listed is not None:
        accepted = min(qty, listed.quantity - listed.received_quantity)
        if accepted:
            move = journal.move_parts(session, actor, part, accepted, source=shipment.transit_location,
                                      target=shipment.to_location, reason=MoveReason.SHIPMENT, shipment=shipment)
            _parts_arrived(session, shipment, part.id, accepted, move.id)
            listed.received_quantity += accepted
            if listed.received_quantity == listed.quantity:
                listed.state = ItemState.RECEIVED
    extra = qty - accepted
    if not extra:
        session.flush()
        return ScanOutcome(listed, True, N_("%(count)s × %(part)s accepted (%(received)s of %(sent)s)"),
                           {"count": accepted, "part": part.sku, "received": listed.received_quantity,
                            "sent": listed.quantity})
    # More than was sent: a surplus (излишек) from outside the journal, taken into the destination.
    move = journal.move_parts(session, actor, part, extra, source=None, target=shipment.to_location,
                              reason=MoveReason.ADJUSTMENT, shipment=shipment, note=f"unexpected in {shipment.number}")
    _parts_arrived(session, shipment, part.id, extra, move.id)
    surplus = next((li for li in lines if li.state == ItemState.UNEXPECTED), None)
    if surplus is None:
        surplus = ShipmentItem(shipment=shipment, part_id=part.id, quantity=0, received_quantity=0,
                               state=ItemState.UNEXPECTED, note="not on the packing list")
        session.add(surplus)
    surplus.quantity += extra
    surplus.received_quantity += extra
    session.flush()
    return ScanOutcome(surplus, True, N_("%(count)s × %(part)s more than was sent: recorded as unexpected"),
                       {"count": extra, "part": part.sku})


def _parts_arrived(session: Session, shipment: Shipment, part_id: int, quantity: int, move_id: int) -> None:
    """Parts received at a center: the engineers of its orders waiting for them hear of it."""
    if shipment.to_center_id is not None:
        from servicecenter.notifications.rules import notify_parts_arrived  # notifications build on stock

        notify_parts_arrived(session, shipment.to_center_id, part_id, quantity, move_id)


def complete_receipt(session: Session, actor: User, shipment: Shipment) -> DiscrepancyReport:
    """Close the receipt: whatever was not scanned is missing (it stays in transit until resolved).
    Closing twice is refused: one set of lines."""
    check_receiver(actor, shipment)
    lock_shipment(session, shipment)
    check_state(shipment, ShipmentState.DISPATCHED,
                message=ALREADY_RECEIVED if shipment.state == ShipmentState.RECEIVED else NOT_TRAVELLING)
    number = shipment.number
    flipped = session.execute(
        update(Shipment).where(Shipment.id == shipment.id, Shipment.state == ShipmentState.DISPATCHED)
        .values(state=ShipmentState.RECEIVED, version=Shipment.version + 1, received_at=utcnow(),
                received_by_id=actor.id),
        execution_options={"synchronize_session": False}).rowcount
    session.refresh(shipment)
    if flipped != 1:
        raise StateConflict(ALREADY_RECEIVED, current=shipment.state.value, allowed=[ShipmentState.DISPATCHED.value], number=number)
    session.execute(update(ShipmentItem).where(ShipmentItem.shipment_id == shipment.id,
                                               ShipmentItem.state == ItemState.PACKED)
                    .values(state=ItemState.MISSING), execution_options={"synchronize_session": "fetch"})
    return get_discrepancy_report(session, shipment)


def resolve_missing(session: Session, actor: User, shipment: Shipment, item_id: int, *, found: bool,
                    reason: str = "") -> ShipmentItem:
    """A missing line is settled: found (received now, moved to the destination) or lost with a reason
    (units stay recorded in transit with the loss on their order; parts are written off the transit)."""
    check_receiver(actor, shipment)
    lock_shipment(session, shipment)
    with unwalled(session):  # the line's unit and order, as the packing list shows them
        item = session.scalar(select(ShipmentItem).where(ShipmentItem.id == item_id,
                                                         ShipmentItem.shipment_id == shipment.id)
                              .options(joinedload(ShipmentItem.unit), joinedload(ShipmentItem.part),
                                       joinedload(ShipmentItem.order)))
    if item is None or item.state != ItemState.MISSING:
        raise StateConflict(N_("This line is not missing (any more)"),
                            current=item.state.value if item else "—", allowed=[ItemState.MISSING.value])
    reason = (reason or "").strip()
    if not found and not reason:
        raise ValidationFailed(N_("Say why the item is written off as lost"), errors={"reason": N_("Required")})
    left = item.quantity - item.received_quantity
    if found:
        if item.unit is not None:
            journal.move_unit(session, actor, item.unit, shipment.to_location, MoveReason.SHIPMENT,
                              order=item.order, shipment=shipment, note="found")
            _arrived(session, actor, shipment, item.order)
        else:
            move = journal.move_parts(session, actor, item.part, left, source=shipment.transit_location,
                                      target=shipment.to_location, reason=MoveReason.SHIPMENT, shipment=shipment,
                                      note="found")
            _parts_arrived(session, shipment, item.part.id, left, move.id)
        item.received_quantity, item.state = item.quantity, ItemState.FOUND
    else:
        if item.part is not None:
            journal.move_parts(session, actor, item.part, left, source=shipment.transit_location, target=None,
                               reason=MoveReason.ADJUSTMENT, shipment=shipment, note=f"lost: {reason}")
        elif item.order is not None:
            record_event(session, actor=actor, kind=EventKind.LOCATION, order=item.order,
                         to_value=shipment.transit_location.code if shipment.transit_location else None,
                         message=LOST_IN_TRANSIT, params={"shipment": shipment.number, "reason": reason[:200]},
                         action="lost")
        item.state, item.note = ItemState.LOST, reason[:300]
    item.resolved_at, item.resolved_by_id = utcnow(), actor.id
    session.flush()
    return item
