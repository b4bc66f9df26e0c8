"""Shipments (партии): open one, build it by scanning units and parts.

Every item goes on the shipment only from its origin (the origin location or a shelf in it) and
only if no other open or travelling shipment holds it; a refusal says where the item is.
Dispatching and cancelling are in `dispatch.py`, receiving in `receiving.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import Location, LocationKind, ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import FINAL_STATES
from servicecenter.scanning import ORDER_NUMBER, normalise_scan
from servicecenter.shipments.models import (
    OPEN_SHIPMENT_STATES,
    ItemState,
    Shipment,
    ShipmentItem,
    ShipmentState,
)
from servicecenter.shipments.numbering import next_shipment_number
from servicecenter.stock.models import Part, Reservation, ReservationState, StockLevel
from servicecenter.stock.services import lock_part

SHIPPING_ROLES = frozenset({Role.LOGISTICS, Role.WAREHOUSE, *PARTNER_ROLES, Role.ADMIN})
ORIGIN_KINDS = (LocationKind.WAREHOUSE, LocationKind.SHELF, LocationKind.DEFECTIVE)
DESTINATION_KINDS = (LocationKind.WAREHOUSE, LocationKind.MANUFACTURER)
MAX_PART_QUANTITY = 10_000

NOT_OPEN = N_("Shipment %(number)s can no longer be changed (state: %(current)s)")
ALREADY_DISPATCHED = N_("Shipment %(number)s was already dispatched (state: %(current)s); a shipment is dispatched once")


@dataclass(frozen=True)
class ScanOutcome:
    """What a scan did: the line it landed on, and whether it was new (False: the same line again)."""

    item: ShipmentItem
    added: bool
    message: str
    params: dict[str, object]


# ---------------------------------------------------------------- checks shared with receiving
def check_role(actor: User) -> None:
    if actor.role not in SHIPPING_ROLES:
        raise PermissionDenied(N_("Your role does not handle shipments"))


def check_sender(actor: User, shipment: Shipment) -> None:
    """The sending center's staff build and dispatch a shipment (an administrator anywhere)."""
    check_role(actor)
    if actor.role != Role.ADMIN and actor.center_id != shipment.from_center_id:
        raise PermissionDenied(N_("Shipment %(number)s is sent by another center"), number=shipment.number)


def lock_shipment(session: Session, shipment: Shipment) -> Shipment:
    """Every write on a shipment starts here: its row locked (FOR NO KEY UPDATE; SQLite has one writer) and
    re-read, so two clerks on one shipment take turns and the second sees what the first did (dispatched,
    received) rather than the page it loaded. Lock order everywhere: the shipment, then its units."""
    return session.execute(select(Shipment).where(Shipment.id == shipment.id).with_for_update(key_share=True)
                           .execution_options(populate_existing=True)).scalar_one()  # fetched: that refreshes


def check_state(shipment: Shipment, *states: ShipmentState, message: str = NOT_OPEN) -> None:
    if shipment.state not in states:
        raise StateConflict(message, current=shipment.state.value, allowed=[s.value for s in states],
                            number=shipment.number)


def subtree_ids(session: Session, location: Location) -> list[int]:
    """The location and every location under it (a warehouse's shelves and their bins)."""
    ids, frontier = [location.id], [location.id]
    for _ in range(4):
        frontier = list(session.scalars(select(Location.id).where(Location.parent_id.in_(frontier))))
        if not frontier:
            break
        ids += frontier
    return ids


def describe_location(location: Location | None) -> str:
    """A location as a refusal names it: its code and name, and its center's code."""
    if location is None:
        return "—"
    where = f"{location.code} ({location.name})"
    return f"{where}, {location.center.code}" if location.center is not None else where


# ---------------------------------------------------------------- open
def create_shipment(session: Session, actor: User, *, origin: Location, destination: Location,
                    note: str = "") -> Shipment:
    """Open a shipment from one of the actor's center's warehouses to another center's warehouse or a
    manufacturer; it gets its number (its barcode) now."""
    check_role(actor)
    if origin.kind not in ORIGIN_KINDS or origin.center_id is None:
        raise ValidationFailed(N_("A shipment leaves from a warehouse of a center"),
                               errors={"origin": N_("Not a warehouse")})
    if actor.role != Role.ADMIN and origin.center_id != actor.center_id:
        raise PermissionDenied(N_("You send shipments only from your own center's warehouses"))
    if destination.kind not in DESTINATION_KINDS or not destination.active:
        raise ValidationFailed(N_("A shipment goes to a warehouse or to a manufacturer"),
                               errors={"destination": N_("Not a warehouse or a manufacturer")})
    if destination.id == origin.id or destination.id in subtree_ids(session, origin):
        raise ValidationFailed(N_("The destination is the origin itself"),
                               errors={"destination": N_("Same as the origin")})
    center = session.get(ServiceCenter, origin.center_id)
    now = utcnow()
    shipment = Shipment(number=next_shipment_number(session, center, now), from_location_id=origin.id,
                        to_location_id=destination.id, from_center_id=origin.center_id,
                        to_center_id=destination.center_id, created_by_id=actor.id, created_at=now,
                        note=(note or "").strip()[:2000])
    session.add(shipment)
    session.flush()
    return shipment


# ---------------------------------------------------------------- build by scanning
def find_open_line(session: Session, unit_id: int, *, exclude: int | None = None) -> ShipmentItem | None:
    """The line of an open or travelling shipment that holds a unit (not yet received), if any."""
    query = (select(ShipmentItem).join(Shipment, Shipment.id == ShipmentItem.shipment_id)
             .where(ShipmentItem.unit_id == unit_id, ShipmentItem.state == ItemState.PACKED,
                    Shipment.state.in_(OPEN_SHIPMENT_STATES)))
    if exclude is not None:
        query = query.where(Shipment.id != exclude)
    return session.scalars(query.limit(1)).first()


def open_order_of(session: Session, unit: Unit) -> RepairOrder | None:
    """The unit's order in progress (its latest not issued or cancelled), whose history the moves go to."""
    return session.scalars(select(RepairOrder).where(RepairOrder.unit_id == unit.id,
                                                     RepairOrder.state.not_in(FINAL_STATES))
                           .order_by(RepairOrder.id.desc()).limit(1)).first()


def _lock(session: Session, model: type, row_id: int) -> None:
    """Serialise two clerks scanning the same unit into two shipments (FOR UPDATE; SQLite has one writer)."""
    session.execute(select(model.id).where(model.id == row_id).with_for_update())


def resolve_code(session: Session, code: str, near: list[int]) -> tuple[Unit | None, RepairOrder | None, Part | None]:
    """A scanned code as a unit (by its label = order number, or its serial) or a part (SKU or barcode).
    Several units with one serial (two brands): the one at `near`, else refused as ambiguous."""
    if ORDER_NUMBER.match(code):
        order = session.scalar(select(RepairOrder).where(RepairOrder.number == code))
        if order is not None:
            if order.unit is None:
                raise ValidationFailed(N_("Order %(number)s has no unit received yet"), number=code)
            return order.unit, order, None
    part = session.scalar(select(Part).where(Part.active.is_(True), or_(Part.sku == code, Part.barcode == code)))
    if part is not None:
        return None, None, part
    units = list(session.scalars(select(Unit).where(Unit.serial == code).order_by(Unit.id)))
    if len(units) > 1:
        units = [u for u in units if u.location_id in near] or units
    if len(units) > 1:
        raise ValidationFailed(N_("Several units have serial %(code)s; scan the unit label (the order number)"),
                               code=code)
    if units:
        return units[0], None, None
    raise NotFound(N_("No unit, order or part has the code %(code)s"), code=code)


def parse_quantity(raw: object) -> int:
    try:
        qty = int(str(raw).strip() or "1")
    except (TypeError, ValueError):
        qty = 0
    if not 0 < qty <= MAX_PART_QUANTITY:
        raise ValidationFailed(N_("The quantity must be a whole number from 1 to %(max)s"),
                               errors={"quantity": N_("From 1 to %(max)s")}, max=MAX_PART_QUANTITY)
    return qty


def add_scanned(session: Session, actor: User, shipment: Shipment, raw: str, quantity: object = 1) -> ScanOutcome:
    """Put what was scanned on an open shipment: a unit (its label or serial) or a quantity of a part.
    Refused when the item is not at the origin or another shipment holds it, saying where it is;
    the same unit twice stays one line, a part scanned again adds to its line."""
    check_sender(actor, shipment)
    lock_shipment(session, shipment)
    check_state(shipment, ShipmentState.OPEN)
    code = normalise_scan(raw)
    origin = subtree_ids(session, shipment.from_location)
    unit, order, part = resolve_code(session, code, origin)
    if part is not None:
        return _add_part(session, shipment, part, parse_quantity(quantity), origin)
    assert unit is not None
    _lock(session, Unit, unit.id)
    same = session.scalar(select(ShipmentItem).where(ShipmentItem.shipment_id == shipment.id,
                                                     ShipmentItem.unit_id == unit.id))
    if same is not None:
        return ScanOutcome(same, False, N_("Unit %(serial)s is already on this shipment (one line)"),
                           {"serial": unit.serial})
    other = find_open_line(session, unit.id, exclude=shipment.id)
    if other is not None:
        raise StateConflict(N_("Unit %(serial)s is already on shipment %(other)s (%(current)s)"),
                            current=other.shipment.state.value, allowed=[], serial=unit.serial,
                            other=other.shipment.number)
    if unit.location_id not in origin:
        raise ValidationFailed(N_("Unit %(serial)s is not at %(origin)s: it is at %(where)s"),
                               serial=unit.serial, origin=shipment.from_location.code,
                               where=describe_location(unit.location))
    order = order if order is not None and order.state not in FINAL_STATES else open_order_of(session, unit)
    item = ShipmentItem(shipment=shipment, unit_id=unit.id, order_id=order.id if order else None, quantity=1)
    session.add(item)
    session.flush()
    return ScanOutcome(item, True, N_("Unit %(serial)s added"), {"serial": unit.serial})


def free_to_ship(session: Session, part: Part, origin: list[int], *, exclude: int | None = None) -> int:
    """What of a part may still leave `origin`: on hand there, minus reservations for orders, minus
    what other open shipments from there already hold."""
    on_hand = session.scalar(select(func.coalesce(func.sum(StockLevel.quantity), 0)).where(
        StockLevel.part_id == part.id, StockLevel.location_id.in_(origin))) or 0
    reserved = session.scalar(select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
        Reservation.part_id == part.id, Reservation.state == ReservationState.ACTIVE,
        Reservation.location_id.in_(origin))) or 0
    packed_query = (select(func.coalesce(func.sum(ShipmentItem.quantity), 0))
                    .join(Shipment, Shipment.id == ShipmentItem.shipment_id)
                    .where(ShipmentItem.part_id == part.id, Shipment.state == ShipmentState.OPEN,
                           Shipment.from_location_id.in_(origin)))
    if exclude is not None:
        packed_query = packed_query.where(Shipment.id != exclude)
    return int(on_hand) - int(reserved) - int(session.scalar(packed_query) or 0)


def _add_part(session: Session, shipment: Shipment, part: Part, qty: int, origin: list[int]) -> ScanOutcome:
    lock_part(session, part)
    line = session.scalar(select(ShipmentItem).where(ShipmentItem.shipment_id == shipment.id,
                                                     ShipmentItem.part_id == part.id))
    already = line.quantity if line is not None else 0
    free = free_to_ship(session, part, origin, exclude=shipment.id)
    if already + qty > free:
        raise ValidationFailed(N_("Only %(free)s of %(part)s can leave %(origin)s (on hand, not reserved, not on "
                                  "other shipments); this shipment already has %(already)s"),
                               errors={"quantity": N_("Not enough stock")}, free=max(free, 0), part=part.sku,
                               origin=shipment.from_location.code, already=already)
    if line is not None:
        line.quantity += qty
        session.flush()
        return ScanOutcome(line, False, N_("%(part)s is already on this shipment: now %(count)s on one line"),
                           {"part": part.sku, "count": line.quantity})
    line = ShipmentItem(shipment=shipment, part_id=part.id, quantity=qty)
    session.add(line)
    session.flush()
    return ScanOutcome(line, True, N_("%(count)s × %(part)s added"), {"part": part.sku, "count": qty})


def remove_item(session: Session, actor: User, shipment: Shipment, item_id: int) -> None:
    """Take a line off an open shipment (scanned by mistake)."""
    check_sender(actor, shipment)
    lock_shipment(session, shipment)
    check_state(shipment, ShipmentState.OPEN)
    result = session.execute(delete(ShipmentItem).where(ShipmentItem.id == item_id,
                                                        ShipmentItem.shipment_id == shipment.id),
                             execution_options={"synchronize_session": "fetch"})
    if result.rowcount != 1:
        raise NotFound(N_("No such line on shipment %(number)s"), number=shipment.number)
    session.expire(shipment, ["items"])
