"""Customers: phone normalisation, finding, creating and correcting their details."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.customers.models import CUSTOMER_LANGUAGES, Customer, CustomerKind
from servicecenter.errors import N_, NotFound, PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from servicecenter.accounts.models import User

# Who corrects a customer's contacts and mail preferences: the people who talk to customers.
EDIT_ROLES = frozenset({Role.INTAKE, Role.CALL_CENTER, Role.TEAM_LEAD, Role.ADMIN, *PARTNER_ROLES})
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_phone(raw: str) -> str:
    """A phone in international form (+79161234567); Russian 8-prefixed numbers become +7."""
    digits = re.sub(r"\D", "", raw or "", flags=re.ASCII)  # only 0-9: "١٢" or "１２" is not stored as a phone
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    if not 10 <= len(digits) <= 15 or not re.fullmatch(r"[\d\s()+\-.]+", (raw or "").strip() or "x", re.ASCII):
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


def get_customer_for(session: Session, actor: User, customer_id: int) -> Customer:
    """A customer the actor may correct. Network roles reach anyone; the others only the customers of
    orders their center took in or works on — anyone else does not exist for them (NotFound)."""
    if actor.role not in EDIT_ROLES:
        raise PermissionDenied(N_("Your role does not edit customers"))
    customer = session.get(Customer, customer_id)  # a partner's session wall already hides the others
    if customer is None or not _reaches(session, actor, customer):
        raise NotFound(N_("No such customer"))
    return customer


def _reaches(session: Session, actor: User, customer: Customer) -> bool:
    from servicecenter.repairs.models import RepairOrder

    if actor.works_network_wide:
        return True
    return session.scalar(select(RepairOrder.id).where(
        RepairOrder.customer_id == customer.id,
        or_(RepairOrder.center_id == actor.center_id, RepairOrder.intake_center_id == actor.center_id),
    ).limit(1)) is not None


def update_customer(session: Session, actor: User, customer: Customer, *, name: str, phone: str, email: str,
                    notifications_opt_out: bool, language: str) -> Customer:
    """Correct a customer's name, phone, e-mail and mail preferences. Bad input changes nothing and is
    refused with a message per field. Only flushes (the caller's transaction holds the change)."""
    customer = get_customer_for(session, actor, customer.id)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = N_("Required")
    elif len(name) > 200:
        errors["name"] = N_("Too long")
    try:
        clean_phone = normalise_phone(phone)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        clean_phone = ""
    email = (email or "").strip()
    if email and (len(email) > 200 or not EMAIL_SHAPE.match(email)):
        errors["email"] = N_("Not an e-mail address")
    if language not in CUSTOMER_LANGUAGES:
        errors["language"] = N_("Unknown language")
    if errors:
        raise ValidationFailed(N_("Check the customer's details; nothing was changed"), errors=errors)
    customer.name, customer.phone, customer.email = name, clean_phone, email
    customer.notifications_opt_out, customer.language = bool(notifications_opt_out), language
    session.flush()
    return customer
