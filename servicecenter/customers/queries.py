"""Finding customers: by phone digits or by name as a clerk types."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicecenter.customers.models import Customer


def name_spellings(text: str) -> set[str]:
    """The usual spellings of a typed name: SQLite's lower() folds ASCII only, so Cyrillic names are
    matched as typed, lower case, upper case, capitalised and title case."""
    return {text, text.lower(), text.upper(), text.capitalize(), text.title()}


def list_customers_matching(session: Session, typed: str, limit: int = 10) -> list[Customer]:
    """Customers whose name contains what was typed, or whose phone contains its digits (3 or more)."""
    typed = " ".join((typed or "").replace("%", "").replace("_", "").split())
    if len(typed) < 2:
        return []
    conditions = [Customer.name.ilike(f"%{spelling}%") for spelling in name_spellings(typed)]
    digits = "".join(ch for ch in typed if ch.isdigit())
    if len(digits) >= 3:
        conditions.append(Customer.phone.contains(digits, autoescape=True))
    return list(session.scalars(select(Customer).where(or_(*conditions)).order_by(Customer.name).limit(limit)))
