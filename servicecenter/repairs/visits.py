"""Pre-registering a visit by phone: the order waits in `registered` until the unit is handed in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.centers.queries import is_authorised
from servicecenter.customers.models import Customer
from servicecenter.customers.services import create_customer, normalise_phone
from servicecenter.equipment.services import normalise_serial, register_unit
from servicecenter.errors import N_, ValidationFailed
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.services import add_comment, create_order


@dataclass
class VisitRequest:
    """What the operator heard on the phone (plain values; the edge parses the form into this)."""

    center_id: int | None
    customer_name: str
    customer_phone: str
    fault: str
    manufacturer_id: int | None = None
    model_id: int | None = None
    serial: str = ""
    idempotency_key: str | None = None


def _customer(session: Session, name: str, phone: str) -> Customer:
    """The customer known by this phone (the same name preferred), or a new one."""
    known = session.scalars(select(Customer).where(Customer.phone == phone).order_by(Customer.id)).all()
    for customer in known:
        if customer.name.casefold() == name.casefold():
            return customer
    if known:
        return known[0]
    return create_customer(session, name=name, phone=phone)


def pre_register_visit(session: Session, actor: User, req: VisitRequest) -> RepairOrder:
    """Register a caller's visit at a center authorised for the brand; the counter completes it later.

    The unit is recorded when the model and the serial are known; a brand or model without a serial
    is noted in the order's history. A repeated request with the same idempotency key returns the
    order the first one made.
    """
    if req.idempotency_key:
        done = session.scalar(select(RepairOrder).where(RepairOrder.idempotency_key == req.idempotency_key))
        if done is not None:
            return done
    errors: dict[str, str] = {}
    name = " ".join((req.customer_name or "").split())
    if not name:
        errors["customer_name"] = N_("Required")
    try:
        phone = normalise_phone(req.customer_phone)
    except ValidationFailed:
        errors["customer_phone"] = N_("Not a phone number")
        phone = ""
    if not (req.fault or "").strip():
        errors["fault"] = N_("Describe the fault")
    center = session.get(ServiceCenter, req.center_id) if req.center_id else None
    if center is None or not center.active:
        errors["center_id"] = N_("Choose a service center")
    model = session.get(ProductModel, req.model_id) if req.model_id else None
    if req.model_id and (model is None or not model.active):
        errors["model_id"] = N_("Choose the model from the catalogue")
    brand = session.get(Manufacturer, req.manufacturer_id) if req.manufacturer_id else None
    if req.manufacturer_id and brand is None:
        errors["manufacturer_id"] = N_("Choose the manufacturer from the list")
    if model is not None and brand is not None and model.manufacturer_id != brand.id:
        errors["model_id"] = N_("This model is not the chosen manufacturer's")
    brand_id = model.manufacturer_id if model is not None else (brand.id if brand else None)
    serial = ""
    if (req.serial or "").strip():
        try:
            serial = normalise_serial(req.serial)
        except ValidationFailed:
            errors["serial"] = N_("Not a serial number")
        if model is None and "model_id" not in errors:
            errors["model_id"] = N_("Choose the model to record the serial number")
    if center is not None and brand_id is not None and "center_id" not in errors \
            and not is_authorised(session, center.id, brand_id):
        errors["center_id"] = N_("This center is not authorised for the brand")
    if errors:
        raise ValidationFailed(N_("The visit was not registered: check the marked fields"), errors=errors)
    assert center is not None
    customer = _customer(session, name, phone)
    unit = None
    if model is not None and serial:
        unit = register_unit(session, model=model, serial=serial, owner=customer)
        if unit.owner_id is None:
            unit.owner_id = customer.id
    order = create_order(session, actor, center=center, customer=customer, unit=unit, fault=req.fault,
                         pre_register=True, idempotency_key=req.idempotency_key)
    if unit is None and (model is not None or brand is not None):
        said = f"{model.manufacturer.name} {model.name}" if model is not None else brand.name  # type: ignore[union-attr]
        add_comment(session, order, actor, said)
    session.flush()
    return order
