"""The warehouse's one scan field: whatever code was scanned, say what it is.

Every code goes through `scanning.normalise_scan` (the counter's parser: Russian-layout keys mapped
back, blanks dropped, upper case). What a session may see is the partner wall's business: a walled
session's queries never return another center's orders, units, locations or shipments, so they
answer exactly like codes that match nothing. Shelves and warehouses match only the clerk's own
center (another center's shelf is no place to put anything here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from servicecenter.centers.models import Location, LocationKind
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.scanning import ORDER_NUMBER, ScanKind, normalise_scan
from servicecenter.shipments.models import Shipment
from servicecenter.stock.models import Part

NOTHING_MATCHES = N_("Nothing matches the code %(code)s: not an order, unit serial, part, shelf or shipment")
PLACE_KINDS = (LocationKind.WAREHOUSE, LocationKind.SHELF, LocationKind.DEFECTIVE)
CLOSED = (RepairState.ISSUED, RepairState.CANCELLED)


@dataclass(frozen=True)
class Identified:
    """What a scanned code is: its kind and the object (for a unit, also its open order, if any)."""

    kind: ScanKind
    code: str
    order: RepairOrder | None = None
    unit: Unit | None = None
    part: Part | None = None
    location: Location | None = None
    shipment: Shipment | None = None
    others: tuple[int, ...] = field(default=())  # more units with the same serial (other manufacturers)

    @property
    def obj(self) -> object:
        return self.order or self.unit or self.part or self.location or self.shipment


def open_order_of(session: Session, unit_id: int, center_id: int | None) -> RepairOrder | None:
    """The unit's newest open order, this center's first."""
    here = case((RepairOrder.center_id == center_id, 0), else_=1)
    return session.scalar(select(RepairOrder).where(RepairOrder.unit_id == unit_id, RepairOrder.state.not_in(CLOSED))
                          .order_by(here, RepairOrder.created_at.desc()).limit(1))


def identify(session: Session, center_id: int | None, raw: str) -> Identified:
    """Say what a scanned code is (order, unit, part, shelf or shipment); NotFound when nothing matches."""
    code = normalise_scan(raw)
    if ORDER_NUMBER.match(code):
        order = session.scalar(select(RepairOrder).where(RepairOrder.number == code))
        if order is not None:
            unit = session.get(Unit, order.unit_id) if order.unit_id else None
            return Identified(ScanKind.ORDER, code, order=order, unit=unit)
    shipment = session.scalar(select(Shipment).where(Shipment.number == code))
    if shipment is not None:
        return Identified(ScanKind.SHIPMENT, code, shipment=shipment)
    if center_id is not None:
        location = session.scalar(select(Location).where(Location.code == code, Location.center_id == center_id,
                                                         Location.kind.in_(PLACE_KINDS)))
        if location is not None:
            return Identified(ScanKind.SHELF, code, location=location)
    part = session.scalar(select(Part).where(or_(Part.barcode == code, Part.sku == code)).order_by(
        (Part.barcode == code).desc()).limit(1))
    if part is not None:
        return Identified(ScanKind.PART, code, part=part)
    # Units whose location is at this center first: the one on the clerk's shelf is the one meant.
    local = select(Location.id).where(Location.center_id == center_id).scalar_subquery()
    units = list(session.scalars(select(Unit).where(Unit.serial == code)
                                 .order_by(case((Unit.location_id.in_(local), 0), else_=1), Unit.id)))
    if units:
        unit = units[0]
        return Identified(ScanKind.UNIT, code, unit=unit, order=open_order_of(session, unit.id, center_id),
                          others=tuple(u.id for u in units[1:]))
    raise NotFound(NOTHING_MATCHES, code=code)
