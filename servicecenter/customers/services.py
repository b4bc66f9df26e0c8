"""Customers: phone normalisation, finding and creating."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.customers.models import Customer, CustomerKind
from servicecenter.errors import N_, ValidationFailed


def normalise_phone(raw: str) -> str:
    """A phone in international form (+79161234567); Russian 8-prefixed numbers become +7."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    if not 10 <= len(digits) <= 15 or not re.fullmatch(r"[\d\s()+\-.]+", (raw or "").strip() or "x"):
        raise ValidationFailed(N_("Not a phone number: %(raw)s"), errors={"phone": N_("Not a phone number")},
                               raw=(raw or "")[:40])
    return "+" + digits


def find_customers_by_phone(session: Session, phone: str) -> list[Customer]:
    return list(session.scalars(select(Customer).where(Customer.phone == normalise_phone(phone))))


def create_customer(session: Session, *, name: str, phone: str, email: str = "",
                    kind: CustomerKind | str = CustomerKind.PERSON) -> Customer:
    """Create a customer with a normalised phone; the name is required."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(N_("The customer needs a name"), errors={"name": N_("Required")})
    customer = Customer(name=name[:200], phone=normalise_phone(phone), email=(email or "").strip()[:200],
                        kind=CustomerKind(kind))
    session.add(customer)
    session.flush()
    return customer
