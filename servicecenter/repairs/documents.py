"""From an order to the data its printed documents show (printing/ renders the bytes).

Words that depend on the reader's language (order type, warranty reason...) come in as
arguments: the edge translates them, the domain stays free of the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from printing import (
    ActDoc,
    ActLine,
    CenterInfo,
    ConclusionDoc,
    CustomerInfo,
    LabelDoc,
    LabelProfile,
    UnitInfo,
    WorkOrderDoc,
)
from printing.labels import LABEL_58X40, PRESETS
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


@dataclass(frozen=True)
class HandoverWords:
    """Texts of the act or the conclusion in the document's language."""

    work: str  # the line describing the work done
    outcome: str
    payment: str
    repair_warranty: str = ""


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


def label_profile(center: ServiceCenter, public_url: str) -> LabelProfile:
    """The center's label stock, with a QR code to the staff page or the customer's status page if chosen."""
    base = PRESETS.get(center.label_profile, LABEL_58X40)
    qr = {"staff": f"{public_url}/orders/{{number}}", "status": f"{public_url}/status?number={{number}}"}
    return replace(base, qr_url=qr.get(center.label_qr))


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


def _customer(order: RepairOrder) -> CustomerInfo:
    return CustomerInfo(name=order.customer.name, phone=order.customer.phone, email=order.customer.email)


def _local(order: RepairOrder, moment):  # noqa: ANN001, ANN202
    return local_date(moment or order.created_at, order.center.timezone)


def build_act(order: RepairOrder, words: HandoverWords, executor: str = "") -> ActDoc:
    """Акт выполненных работ for a repaired or replaced unit (one line until itemised estimates exist)."""
    amount = (order.amount_due if order.amount_due is not None else Decimal("0")).quantize(Decimal("0.01"))
    line = ActLine(description=words.work, qty=Decimal("1"), price=amount, amount=amount, measure="усл.")
    return ActDoc(
        number=order.number, center=center_info(order.center), issued=_local(order, order.issued_at or order.ready_at),
        order_number=order.number, order_date=_local(order, order.created_at), customer=_customer(order),
        unit=_unit(order), works=(line,), total=amount, payment=words.payment, outcome=words.outcome,
        repair_warranty=words.repair_warranty, executor=executor,
        received=_local(order, order.received_at) if order.received_at else None,
    )


def build_conclusion(order: RepairOrder, words: HandoverWords, engineer: str = "") -> ConclusionDoc:
    """Техническое заключение for a refused or unrepairable unit."""
    return ConclusionDoc(
        number=order.number, center=center_info(order.center), issued=_local(order, order.ready_at),
        order_number=order.number, order_date=_local(order, order.created_at), customer=_customer(order),
        unit=_unit(order), fault=order.fault, findings=order.diagnosis or order.outcome_note,
        conclusion=f"{words.outcome}. {order.outcome_note}".strip(), engineer=engineer,
    )
