"""Stock figures from the journal's cached levels (`StockLevel`): on hand, reserved and free per part at a center; the warehouse's lists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from servicecenter.centers.models import Location, LocationKind
from servicecenter.errors import N_, NotFound
from servicecenter.repairs.models import RepairOrder
from servicecenter.stock.models import (
    Part,
    PartRequest,
    PartRequestState,
    Reservation,
    ReservationState,
    StockLevel,
)

STOCK_KINDS = (LocationKind.WAREHOUSE, LocationKind.SHELF)  # where parts can be taken from


def _stock_locations(center_id: int):  # noqa: ANN202
    return (select(Location.id).where(Location.center_id == center_id, Location.kind.in_(STOCK_KINDS))
            .scalar_subquery())


def on_hand_by_location(session: Session, center_id: int, part_id: int) -> dict[int, int]:
    """Quantity of a part in each of the center's warehouses and shelves (the journal's cached levels)."""
    rows = session.execute(select(StockLevel.location_id, StockLevel.quantity)
                           .where(StockLevel.part_id == part_id, StockLevel.quantity > 0,
                                  StockLevel.location_id.in_(_stock_locations(center_id))))
    return {location_id: int(quantity) for location_id, quantity in rows}


def reserved_by_location(session: Session, center_id: int, part_id: int) -> dict[int, int]:
    """Quantity of a part held by active reservations in each of the center's stock locations."""
    rows = session.execute(
        select(Reservation.location_id, func.sum(Reservation.quantity))
        .where(Reservation.part_id == part_id, Reservation.state == ReservationState.ACTIVE,
               Reservation.location_id.in_(_stock_locations(center_id)))
        .group_by(Reservation.location_id))
    return {location_id: int(quantity or 0) for location_id, quantity in rows}


def free_by_location(session: Session, center_id: int, part_id: int) -> dict[int, int]:
    """What may still be reserved in each location (never below zero), most first."""
    on_hand = on_hand_by_location(session, center_id, part_id)
    reserved = reserved_by_location(session, center_id, part_id)
    free = {loc: max(0, on_hand.get(loc, 0) - reserved.get(loc, 0)) for loc in set(on_hand) | set(reserved)}
    return dict(sorted(((loc, q) for loc, q in free.items() if q > 0), key=lambda item: (-item[1], item[0])))


def free_quantity(session: Session, center_id: int, part_id: int) -> int:
    """Free stock of a part at a center: on hand in its warehouses and shelves minus active reservations."""
    return sum(free_by_location(session, center_id, part_id).values())


def free_quantities(session: Session, center_id: int, part_ids: list[int]) -> dict[int, int]:
    """Free stock of several parts at a center in three queries (for lists of parts)."""
    if not part_ids:
        return {}
    locations = _stock_locations(center_id)
    totals: dict[int, int] = dict.fromkeys(part_ids, 0)
    rows = session.execute(select(StockLevel.part_id, func.sum(StockLevel.quantity))
                           .where(StockLevel.part_id.in_(part_ids), StockLevel.location_id.in_(locations))
                           .group_by(StockLevel.part_id))
    for part_id, quantity in rows:
        totals[part_id] += int(quantity or 0)
    rows = session.execute(select(Reservation.part_id, func.sum(Reservation.quantity))
                           .where(Reservation.part_id.in_(part_ids), Reservation.state == ReservationState.ACTIVE,
                                  Reservation.location_id.in_(locations)).group_by(Reservation.part_id))
    for part_id, quantity in rows:
        totals[part_id] -= int(quantity or 0)
    return {part_id: max(0, q) for part_id, q in totals.items()}


def get_part_by_code(session: Session, code: str) -> Part:
    """An active part by its SKU or barcode (typed or scanned); NotFound otherwise."""
    code = (code or "").strip()
    part = session.scalar(select(Part).where(Part.active.is_(True),
                                             or_(Part.sku == code, Part.barcode == code, Part.sku == code.upper())))
    if part is None:
        raise NotFound(N_("No part %(code)s"), code=code[:64])
    return part


def list_order_reservations(session: Session, order: RepairOrder) -> list[Reservation]:
    """Reservations made for an order (every state), oldest first."""
    return list(session.scalars(select(Reservation).where(Reservation.order_id == order.id)
                                .options(joinedload(Reservation.part), joinedload(Reservation.location))
                                .order_by(Reservation.id)))


def list_order_part_requests(session: Session, order: RepairOrder) -> list[PartRequest]:
    """Shortages requested for an order (every state), oldest first."""
    return list(session.scalars(select(PartRequest).where(PartRequest.order_id == order.id)
                                .options(joinedload(PartRequest.part)).order_by(PartRequest.id)))


@dataclass(frozen=True)
class PickLine:
    """One line of the warehouse's list: what to find or pick for which order."""

    id: int
    order_number: str
    sku: str
    part_name: str
    quantity: int
    location: str
    created_at: object


def list_open_part_requests(session: Session, center_id: int, limit: int = 200) -> list[PickLine]:
    """Open shortages of a center, oldest first: what the warehouse has to find."""
    rows = session.execute(
        select(PartRequest.id, RepairOrder.number, Part.sku, Part.name, PartRequest.quantity, PartRequest.created_at)
        .join(RepairOrder, RepairOrder.id == PartRequest.order_id).join(Part, Part.id == PartRequest.part_id)
        .where(PartRequest.center_id == center_id, PartRequest.state == PartRequestState.OPEN)
        .order_by(PartRequest.created_at, PartRequest.id).limit(limit))
    return [PickLine(r[0], r[1], r[2], r[3], r[4], "", r[5]) for r in rows]


def list_partner_part_requests(session: Session, limit: int = 200) -> list[PickLine]:
    """Open shortages of the partner centers, oldest first: the network's warehouse ships them the
    parts (`location` carries the partner's code)."""
    from servicecenter.centers.models import CenterKind, ServiceCenter

    rows = session.execute(
        select(PartRequest.id, RepairOrder.number, Part.sku, Part.name, PartRequest.quantity, ServiceCenter.code,
               PartRequest.created_at)
        .join(RepairOrder, RepairOrder.id == PartRequest.order_id).join(Part, Part.id == PartRequest.part_id)
        .join(ServiceCenter, ServiceCenter.id == PartRequest.center_id)
        .where(ServiceCenter.kind == CenterKind.PARTNER, PartRequest.state == PartRequestState.OPEN)
        .order_by(PartRequest.created_at, PartRequest.id).limit(limit))
    return [PickLine(*r) for r in rows]


def list_active_reservations(session: Session, center_id: int, limit: int = 200) -> list[PickLine]:
    """Active reservations of a center, oldest first: what the warehouse picks and issues."""
    rows = session.execute(
        select(Reservation.id, RepairOrder.number, Part.sku, Part.name, Reservation.quantity, Location.code,
               Reservation.created_at)
        .join(RepairOrder, RepairOrder.id == Reservation.order_id).join(Part, Part.id == Reservation.part_id)
        .join(Location, Location.id == Reservation.location_id)
        .where(Location.center_id == center_id, Reservation.state == ReservationState.ACTIVE)
        .order_by(Reservation.created_at, Reservation.id).limit(limit))
    return [PickLine(*r) for r in rows]
