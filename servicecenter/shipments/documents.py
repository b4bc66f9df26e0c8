"""A shipment as its printed papers: `printing.shipment_docs` data built from the models."""

from __future__ import annotations

from sqlalchemy.orm import Session

from printing.shipment_docs import (
    DiscrepancyDoc,
    PartyInfo,
    ShipmentDoc,
    ShipmentLabelDoc,
    ShipmentLine,
    shipment_labels,
)
from servicecenter.accounts.models import User
from servicecenter.centers.models import Location, ServiceCenter
from servicecenter.clock import local_date
from servicecenter.shipments.models import ItemState, Shipment
from servicecenter.shipments.queries import DiscrepancyLine, get_discrepancy_report

DEFAULT_TZ = "Europe/Moscow"


def _party(session: Session, location: Location | None, center_id: int | None) -> PartyInfo:
    center = session.get(ServiceCenter, center_id) if center_id is not None else None
    place = f"{location.code} {location.name}" if location is not None else ""
    if center is None:
        return PartyInfo(name=location.name if location is not None else "—")
    return PartyInfo(name=center.name, location=place, address=", ".join(p for p in (center.city, center.address) if p),
                     phone=center.phone)


def _line(item) -> ShipmentLine:  # noqa: ANN001
    if item.unit is not None:
        unit = item.unit
        return ShipmentLine(code=unit.serial, description=f"{unit.manufacturer.name} {unit.model.name}",
                            order_number=item.order.number if item.order else "")
    return ShipmentLine(code=item.part.sku, description=item.part.name, quantity=item.quantity)


def build_shipment_doc(session: Session, shipment: Shipment) -> ShipmentDoc:
    """The packing list's and the waybill's data: what was packed (lines found unexpected at the
    destination are not on the sender's papers)."""
    center = session.get(ServiceCenter, shipment.from_center_id) if shipment.from_center_id else None
    tz = center.timezone if center is not None else DEFAULT_TZ
    clerk = session.get(User, shipment.dispatched_by_id or shipment.created_by_id) if (
        shipment.dispatched_by_id or shipment.created_by_id) else None
    return ShipmentDoc(
        number=shipment.number, created=local_date(shipment.created_at, tz),
        dispatched=local_date(shipment.dispatched_at, tz) if shipment.dispatched_at else None,
        sender=_party(session, shipment.from_location, shipment.from_center_id),
        receiver=_party(session, shipment.to_location, shipment.to_center_id),
        lines=[_line(item) for item in shipment.items if item.state != ItemState.UNEXPECTED],
        carrier=shipment.carrier, tracking=shipment.tracking, places=shipment.places, weight_kg=shipment.weight_kg,
        clerk=clerk.name if clerk is not None else "", note=shipment.note)


def build_shipment_labels(session: Session, shipment: Shipment) -> list[ShipmentLabelDoc]:
    """One label per place of the shipment."""
    return shipment_labels(build_shipment_doc(session, shipment))


def _discrepancy_line(line: DiscrepancyLine, quantity: int) -> ShipmentLine:
    name = f"{line.name} — утеряно: {line.note}" if line.state == ItemState.LOST else line.name
    return ShipmentLine(code=line.code, description=name, order_number=line.order_number, quantity=quantity)


def build_discrepancy_doc(session: Session, shipment: Shipment) -> DiscrepancyDoc:
    """The discrepancy report of a received shipment (missing and unexpected lines as they stand now)."""
    report = get_discrepancy_report(session, shipment)
    center = session.get(ServiceCenter, shipment.to_center_id or shipment.from_center_id)
    tz = center.timezone if center is not None else DEFAULT_TZ
    clerk = session.get(User, shipment.received_by_id) if shipment.received_by_id else None
    moment = shipment.received_at or shipment.dispatched_at or shipment.created_at
    return DiscrepancyDoc(
        number=shipment.number, received=local_date(moment, tz),
        sender=_party(session, shipment.from_location, shipment.from_center_id),
        receiver=_party(session, shipment.to_location, shipment.to_center_id),
        sent_lines=len([line for line in report.lines if line.state != ItemState.UNEXPECTED]),
        accepted_lines=len(report.accepted),
        missing=[_discrepancy_line(line, line.short) for line in report.missing],
        unexpected=[_discrepancy_line(line, line.received) for line in report.unexpected],
        carrier=shipment.carrier, tracking=shipment.tracking, clerk=clerk.name if clerk is not None else "")
