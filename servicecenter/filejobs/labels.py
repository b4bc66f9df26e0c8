"""Every unit label of a shipment as one PDF: the single unit label's data and layout, one a page."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from printing.label_pdf import render_labels_pdf
from printing.labels import LabelDoc
from servicecenter.centers.models import ServiceCenter
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.filejobs.services import label_items, settings_of
from servicecenter.repairs.documents import build_label, label_profile
from servicecenter.repairs.models import RepairOrder
from servicecenter.shipments.models import Shipment, ShipmentItem


def shipment_unit_labels_pdf(session: Session, shipment_id: int, report: Callable[[int, int], None],
                             chunk: int) -> bytes:
    """The PDF, `report(done, total)` called after each chunk of labels is handed to the renderer."""
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(N_("The shipment no longer exists"))
    ids = list(session.scalars(label_items(shipment)))
    if not ids:
        # Stored on the job and translated when shown: a message without parameters.
        raise ValidationFailed(N_("The shipment has no units left to label"))
    report(0, len(ids))
    public_url = settings_of(session).public_url
    return render_labels_pdf(iter_label_docs(session, ids, public_url, report, chunk))


def iter_label_docs(session: Session, ids: list[int], public_url: str, report: Callable[[int, int], None],
            chunk: int) -> Iterator[LabelDoc]:
    """The unit labels of these shipment lines, read `chunk` orders at a time; `report(done, total)`
    after each chunk. The renderer pulls from it: a chunk is read, drawn, reported, then the next."""
    profiles: dict[int, object] = {}
    done = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        items = session.scalars(select(ShipmentItem).where(ShipmentItem.id.in_(part)).order_by(ShipmentItem.id)
                                .options(joinedload(ShipmentItem.order).options(
                                    joinedload(RepairOrder.center),
                                    joinedload(RepairOrder.unit).options(selectinload(Unit.manufacturer),
                                                                         selectinload(Unit.model))))).unique().all()
        for item in items:
            order = item.order
            center: ServiceCenter = order.center
            if center.id not in profiles:
                profiles[center.id] = label_profile(center, public_url)
            yield build_label(order, profiles[center.id])  # type: ignore[arg-type]
        done += len(part)
        report(done, len(ids))
