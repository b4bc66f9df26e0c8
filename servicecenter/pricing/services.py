"""The administrator's price list of labour items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import check_known, clean_amount, clean_text
from servicecenter.pricing.models import DEFAULT_VAT_RATE, LabourItem

LABOUR_FIELDS = frozenset({"code", "name", "category", "price", "vat_rate", "active"})
MAX_PRICE = Decimal("10000000")


def _clean(session: Session, item: LabourItem | None, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    code = clean_text(values, "code", errors, 32, N_("Enter the code")).upper()
    if code and "code" not in errors and session.scalar(select(LabourItem.id).where(
            func.upper(LabourItem.code) == code, LabourItem.id != (item.id if item else -1))):
        errors["code"] = N_("A labour item with this code already exists")
    clean = {
        "code": code,
        "name": clean_text(values, "name", errors, 200, N_("Enter the name")),
        "category": clean_text(values, "category", errors, 80),
        "price": clean_amount(values.get("price"), "price", errors, MAX_PRICE, N_("From 0 to 10,000,000")),
        "vat_rate": clean_amount(DEFAULT_VAT_RATE if values.get("vat_rate") in (None, "") else values["vat_rate"],
                            "vat_rate", errors, Decimal(99), N_("From 0 to 99")),
        "active": bool(values.get("active", True)),
    }
    if errors:
        raise ValidationFailed(N_("The labour item was not saved"), errors=errors)
    return clean


def create_labour_item(session: Session, actor: User, *, code: str, name: str, price: Any, category: str = "",
                       vat_rate: Any = DEFAULT_VAT_RATE, active: bool = True) -> LabourItem:
    """Add a labour item to the price list (price with VAT; category blank = any category)."""
    require_admin(actor)
    item = LabourItem(**_clean(session, None, {"code": code, "name": name, "category": category, "price": price,
                                               "vat_rate": vat_rate, "active": active}))
    session.add(item)
    session.flush()
    return item


def update_labour_item(session: Session, actor: User, item: LabourItem, **changes: Any) -> LabourItem:
    """Change a labour item; sent estimates keep the price they were sent with."""
    require_admin(actor)
    check_known(LABOUR_FIELDS, changes, "update_labour_item")
    values = {field: getattr(item, field) for field in LABOUR_FIELDS}
    values.update(changes)
    for field, value in _clean(session, item, values).items():
        setattr(item, field, value)
    session.flush()
    return item
