"""Dispatching a shipment (every item to its in-transit location, once) and cancelling an open one.

Dispatch locks the shipment's row first (`lock_shipment`): a double click or a second clerk waits for the
first one's commit, then finds the shipment dispatched and is refused (409), so the items move once. The
state UPDATE stays conditional (`open` → `dispatched`) as a second gate.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.deadlines import services as deadlines
from servicecenter.deadlines.terms import PAUSE_TRANSIT
from servicecenter.errors import N_, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind
from servicecenter.shipments.models import Shipment, ShipmentItem, ShipmentState
from servicecenter.shipments.queries import load_lines
from servicecenter.shipments.services import (
    ALREADY_DISPATCHED,
    NOT_OPEN,
    check_sender,
    check_state,
    describe_location,
    lock_shipment,
    subtree_ids,
)
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Reservation, ReservationState, StockLevel

MAX_PLACES = 999


def _places(raw: object) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 3 or not 0 < int(text) <= MAX_PLACES:
        raise ValidationFailed(N_("Places: a whole number from 1 to %(max)s"),
                               errors={"places": N_("From 1 to %(max)s")}, max=MAX_PLACES)
    return int(text)


def _weight(raw: object) -> str:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        return ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("-1")
    if not value.is_finite() or not Decimal("0") < value < Decimal("100000"):
        raise ValidationFailed(N_("Weight: kilograms, e.g. 12.5"), errors={"weight_kg": N_("Kilograms")})
    return f"{value.normalize():f}"


def _transit_location(session: Session, shipment: Shipment) -> Location:
    """The shipment's own in-transit location; it belongs to the partner end when there is one (so the
    partner sees the moves), else to the sender."""
    ends = [c for c in (shipment.to_center_id, shipment.from_center_id) if c is not None]
    partner = session.scalar(select(ServiceCenter.id).where(ServiceCenter.id.in_(ends),
                                                            ServiceCenter.kind == CenterKind.PARTNER).limit(1))
    location = Location(code=f"TR-{shipment.number}", name=f"В пути: {shipment.number}", kind=LocationKind.TRANSIT,
                        center_id=partner or shipment.from_center_id)
    session.add(location)
    session.flush()
    return location


def _check_still_at_origin(session: Session, shipment: Shipment, origin: list[int]) -> None:
    """Between the scan and the dispatch a unit may have gone elsewhere (handed back, put on a shelf of
    another warehouse): refuse, naming it, before anything moves."""
    for item in shipment.items:
        if item.unit is not None and item.unit.location_id not in origin:
            raise ValidationFailed(N_("Unit %(serial)s is no longer at %(origin)s: it is at %(where)s; take it off "
                                      "the shipment or bring it back"), serial=item.unit.serial,
                                   origin=shipment.from_location.code, where=describe_location(item.unit.location))
        if item.part is not None:
            on_hand = session.scalar(select(func.coalesce(func.sum(StockLevel.quantity), 0)).where(
                StockLevel.part_id == item.part_id, StockLevel.location_id.in_(origin))) or 0
            if on_hand < item.quantity:
                raise ValidationFailed(N_("Only %(on_hand)s of %(part)s left at %(origin)s; the shipment lists "
                                          "%(count)s"), on_hand=on_hand, part=item.part.sku,
                                       origin=shipment.from_location.code, count=item.quantity)


def _take_parts(session: Session, actor: User, shipment: Shipment, item: ShipmentItem, origin: list[int],
                transit: Location) -> None:
    """A part line leaves from the origin's locations holding the part: what is free (not reserved for an
    order) first, most free first, so a reservation keeps its parts where it holds them."""
    on_hand = dict(session.execute(select(StockLevel.location_id, StockLevel.quantity).where(
        StockLevel.part_id == item.part_id, StockLevel.location_id.in_(origin), StockLevel.quantity > 0)).all())
    reserved = dict(session.execute(
        select(Reservation.location_id, func.sum(Reservation.quantity))
        .where(Reservation.part_id == item.part_id, Reservation.state == ReservationState.ACTIVE,
               Reservation.location_id.in_(list(on_hand))).group_by(Reservation.location_id)).all())
    free = {loc: max(0, qty - int(reserved.get(loc, 0))) for loc, qty in on_hand.items()}
    plan: dict[int, int] = {}
    left = item.quantity
    for pool in (free, {loc: on_hand[loc] - free[loc] for loc in on_hand}):  # free stock, then (never) reserved
        for location_id, available in sorted(pool.items(), key=lambda kv: (-kv[1], kv[0])):
            take = min(left, available)
            if take > 0:
                plan[location_id] = plan.get(location_id, 0) + take
                left -= take
    if left:
        raise ValidationFailed(N_("Only %(on_hand)s of %(part)s left at %(origin)s; the shipment lists %(count)s"),
                               on_hand=item.quantity - left, part=item.part.sku, origin=shipment.from_location.code,
                               count=item.quantity)
    for location_id, take in plan.items():
        journal.move_parts(session, actor, item.part, take, source=session.get(Location, location_id),
                           target=transit, reason=MoveReason.SHIPMENT, shipment=shipment)


def dispatch_shipment(session: Session, actor: User, shipment: Shipment, *, carrier: str, tracking: str = "",
                      places: object = None, weight_kg: object = None) -> Shipment:
    """Hand the shipment to the carrier: every item moves to the shipment's in-transit location (each order's
    history says so). Dispatching twice (double click, two clerks) is refused: one set of moves."""
    check_sender(actor, shipment)
    carrier, tracking = (carrier or "").strip(), (tracking or "").strip()
    errors = {}
    if not carrier:
        errors["carrier"] = N_("Who carries it")
    if len(carrier) > 100 or len(tracking) > 100:
        errors["tracking"] = N_("At most 100 characters")
    if errors:
        raise ValidationFailed(N_("Name the carrier (and the tracking number if there is one)"), errors=errors)
    count_places, weight = _places(places), _weight(weight_kg)
    lock_shipment(session, shipment)  # a second clerk waits here, then is told it is dispatched
    check_state(shipment, ShipmentState.OPEN, message=ALREADY_DISPATCHED)
    number = shipment.number
    load_lines(session, shipment)  # every line with its unit, part and order, however the caller loaded it
    if not shipment.items:
        raise ValidationFailed(N_("Shipment %(number)s is empty: scan what goes in it first"), number=number)
    origin = subtree_ids(session, shipment.from_location)
    _check_still_at_origin(session, shipment, origin)
    # The gate behind the lock: only the request that flips `open` to `dispatched` moves anything.
    flipped = session.execute(
        update(Shipment).where(Shipment.id == shipment.id, Shipment.state == ShipmentState.OPEN)
        .values(state=ShipmentState.DISPATCHED, version=Shipment.version + 1, dispatched_at=utcnow(),
                dispatched_by_id=actor.id, carrier=carrier, tracking=tracking, places=count_places,
                weight_kg=weight),
        execution_options={"synchronize_session": False}).rowcount
    session.refresh(shipment)
    if flipped != 1:
        raise StateConflict(ALREADY_DISPATCHED, current=shipment.state.value, allowed=[ShipmentState.OPEN.value],
                            number=number)
    transit = _transit_location(session, shipment)
    units = [item for item in shipment.items if item.unit is not None]
    departed = [(item.order, item.unit.location.code if item.unit.location else None) for item in units]
    # Set-based: one UPDATE of the units per shelf they leave, the journal lines in one INSERT.
    journal.move_units(session, actor, [(item.unit, item.order) for item in units], transit, MoveReason.SHIPMENT,
                       shipment=shipment, history=False)
    for item in shipment.items:
        if item.part is not None:
            _take_parts(session, actor, shipment, item, origin, transit)
    # Each order's history says where its unit went, with the carrier and tracking number (batched at flush);
    # its internal deadlines stop while the unit travels, where its rule says so (one pass, one flush).
    for order, came_from in departed:
        if order is not None:
            record_event(session, actor=actor, kind=EventKind.LOCATION, order=order, from_value=came_from,
                         to_value=transit.code, reason=MoveReason.SHIPMENT.value, shipment=shipment.number,
                         carrier=carrier, tracking=tracking)
    deadlines.pause_all(session, [order for order, _ in departed if order is not None], PAUSE_TRANSIT, actor=actor)
    shipment.transit_location = transit
    session.flush()
    return shipment


def cancel_shipment(session: Session, actor: User, shipment: Shipment) -> Shipment:
    """Drop an open shipment: nothing has moved, its items are free for another shipment."""
    check_sender(actor, shipment)
    lock_shipment(session, shipment)
    check_state(shipment, ShipmentState.OPEN)
    flipped = session.execute(
        update(Shipment).where(Shipment.id == shipment.id, Shipment.state == ShipmentState.OPEN)
        .values(state=ShipmentState.CANCELLED, version=Shipment.version + 1),
        execution_options={"synchronize_session": False}).rowcount
    session.refresh(shipment)
    if flipped != 1:
        raise StateConflict(NOT_OPEN, current=shipment.state.value, allowed=[ShipmentState.OPEN.value],
                            number=shipment.number)
    return shipment
