"""From an order to the data its printed documents show (printing/ renders the bytes).

Words that depend on the reader's language (order type, warranty reason...) come in as
arguments: the edge translates them, the domain stays free of the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from printing import CenterInfo, CustomerInfo, LabelDoc, LabelProfile, UnitInfo, WorkOrderDoc
from printing.labels import LABEL_58X40
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date
from servicecenter.repairs.models import RepairOrder

SHORT_FAULT = 60


@dataclass(frozen=True)
class Words:
    """Texts of an order in the document's language."""

    order_type: str
    priority: str
    warranty: str  # the warranty decision's reason
    terms: str = ""


def center_info(center: ServiceCenter) -> CenterInfo:
    return CenterInfo(name=center.name, address=", ".join(p for p in (center.city, center.address) if p),
                      phone=center.phone, hours=center.hours)


def _unit(order: RepairOrder) -> UnitInfo:
    unit = order.unit
    if unit is None:
        return UnitInfo(manufacturer="", model="", serial="")
    return UnitInfo(manufacturer=unit.manufacturer.name, model=unit.model.name, serial=unit.serial,
                    purchase_date=unit.purchase_date, seller=unit.seller)


def build_work_order(order: RepairOrder, words: Words, clerk: str = "", copies: int = 1) -> WorkOrderDoc:
    """The заказ-наряд as received at the counter."""
    tz = ZoneInfo(order.center.timezone)
    created = (order.received_at or order.created_at).astimezone(tz).replace(tzinfo=None)
    return WorkOrderDoc(
        number=order.number, center=center_info(order.center), created=created,
        customer=CustomerInfo(name=order.customer.name, phone=order.customer.phone, email=order.customer.email),
        unit=_unit(order), warranty_covered=bool(order.warranty_covered), warranty_reason=words.warranty,
        fault=order.fault, condition=order.condition, accessories=tuple(order.accessories or ()),
        priority=words.priority, order_type=words.order_type, terms=words.terms, clerk=clerk, copies=copies,
    )


def build_label(order: RepairOrder, profile: LabelProfile = LABEL_58X40) -> LabelDoc:
    """The unit label: the order number as Code 128, with serial, model, short fault, intake date."""
    unit = order.unit
    fault = " ".join(order.fault.split())
    return LabelDoc(
        number=order.number, serial=unit.serial if unit else "",
        model=f"{unit.manufacturer.name} {unit.model.name}" if unit else "",
        fault=fault if len(fault) <= SHORT_FAULT else fault[:SHORT_FAULT - 1] + "…",
        intake_date=local_date(order.received_at or order.created_at, order.center.timezone), profile=profile,
    )
