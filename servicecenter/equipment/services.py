"""Equipment units: serial normalisation, finding or registering a unit."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.catalog.models import ProductModel
from servicecenter.customers.models import Customer
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, ValidationFailed

SERIAL_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-_/.]{1,63}$")


def normalise_serial(raw: str) -> str:
    """Serials are compared upper-case without surrounding or inner blanks."""
    serial = re.sub(r"\s+", "", raw or "").upper()
    if not SERIAL_RE.match(serial):
        raise ValidationFailed(N_("Not a serial number: %(raw)s"), errors={"serial": N_("Not a serial number")},
                               raw=(raw or "")[:64])
    return serial


def find_unit(session: Session, manufacturer_id: int, serial: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.manufacturer_id == manufacturer_id,
                                             Unit.serial == normalise_serial(serial)))


def register_unit(session: Session, *, model: ProductModel, serial: str, owner: Customer | None = None,
                  purchase_date: date | None = None, seller: str = "", today: date | None = None) -> Unit:
    """Find the unit by manufacturer and serial, or register it; a known serial is never duplicated."""
    serial = normalise_serial(serial)
    if purchase_date is not None and today is not None and purchase_date > today:
        raise ValidationFailed(N_("The purchase date is in the future"),
                               errors={"purchase_date": N_("In the future")})
    unit = find_unit(session, model.manufacturer_id, serial)
    if unit is not None:
        return unit
    unit = Unit(manufacturer_id=model.manufacturer_id, model_id=model.id, serial=serial,
                owner_id=owner.id if owner else None, purchase_date=purchase_date, seller=(seller or "")[:200])
    session.add(unit)
    session.flush()
    transaction, ids = session.info.get(_REGISTERED, (None, set()))
    if transaction is not session.get_transaction():
        transaction, ids = session.get_transaction(), set()
    ids.add(unit.id)
    session.info[_REGISTERED] = (transaction, ids)
    return unit


_REGISTERED = "units_registered"  # session.info: (the transaction, the ids of the units it registered)


def registered_in_this_transaction(session: Session, unit: Unit) -> bool:
    """Whether the session's open transaction registered `unit` (register_unit): nobody else sees its
    row until the commit, so there is nothing to lock (the intake's placement in the warehouse)."""
    transaction, ids = session.info.get(_REGISTERED, (None, ()))
    return transaction is not None and transaction is session.get_transaction() and unit.id in ids
