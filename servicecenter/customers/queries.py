"""Finding customers: by phone digits or by name as a clerk types."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicecenter.customers.models import Customer
from servicecenter.textmatch import contains_any_case


def name_contains(session: Session, typed: str) -> Any:
    """The condition "the customer's name contains what was typed, in any case" (Cyrillic too, on
    SQLite as on PostgreSQL: see servicecenter.textmatch)."""
    return contains_any_case(session, Customer.name, typed)


def list_customers_matching(session: Session, typed: str, limit: int = 10) -> list[Customer]:
    """Customers whose name contains what was typed, or whose phone contains its digits (3 or more)."""
    typed = " ".join((typed or "").split())
    if len(typed) < 2:
        return []
    conditions = [name_contains(session, typed)]
    digits = "".join(ch for ch in typed if ch.isdigit())
    if len(digits) >= 3:
        conditions.append(Customer.phone.contains(digits, autoescape=True))
    return list(session.scalars(select(Customer).where(or_(*conditions)).order_by(Customer.name).limit(limit)))


def list_customer_orders(session: Session, customer: Customer, limit: int = 200) -> list[Any]:
    """The customer's orders as the session sees them (a partner: its own center's), newest first."""
    from servicecenter.repairs.models import RepairOrder

    return list(session.scalars(select(RepairOrder).where(RepairOrder.customer_id == customer.id)
                                .order_by(RepairOrder.created_at.desc(), RepairOrder.id.desc()).limit(limit)))
