"""The parts catalogue: a part's SKU, barcode, name, cost and price and the models it fits.

The warehouse keeps it (a clerk receiving a part nobody has catalogued yet adds it first), the
administrator too. Codes are kept as a scanner reads them: upper case, no blanks, so that the scan
field (`stock.identify`) finds them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.errors import N_, PermissionDenied, ValidationFailed
from servicecenter.fields import clean_amount, clean_text
from servicecenter.stock.models import Part

CATALOGUE_ROLES = frozenset({Role.WAREHOUSE, Role.ADMIN})
MAX_AMOUNT = Decimal("10000000")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]*$")


def _code(values: dict[str, Any], field: str, errors: dict[str, str], required: str | None) -> str:
    code = re.sub(r"\s+", "", clean_text(values, field, errors, 64, required)).upper()
    if code and field not in errors and not CODE.match(code):
        errors[field] = N_("Letters, digits and . _ / - only")
    return code


def _models(session: Session, text: Any, errors: dict[str, str]) -> list[ProductModel]:
    """Models named one per line (or separated by ";"): "Brand Model" or the model's name alone."""
    wanted = [name.strip() for name in re.split(r"[\n;]+", str(text or "")) if name.strip()]
    found: list[ProductModel] = []
    unknown: list[str] = []
    for name in wanted[:200]:
        # As typed first, then ignoring case (SQLite's lower() knows only Latin letters: a Cyrillic model
        # name is found as typed there, in any case on PostgreSQL).
        full = Manufacturer.name + " " + ProductModel.name
        key = name.lower()
        model = session.scalars(
            select(ProductModel).join(Manufacturer, Manufacturer.id == ProductModel.manufacturer_id)
            .where(or_(full == name, ProductModel.name == name, func.lower(full) == key,
                       func.lower(ProductModel.name) == key))
            .order_by(ProductModel.id).limit(1)).first()
        if model is None:
            unknown.append(name)
        elif model not in found:
            found.append(model)
    if unknown:
        errors["models"] = N_("No such model; write the brand and the model, one a line")
        errors["_unknown"] = "; ".join(unknown)[:300]
    return found


def save_part(session: Session, actor: User, part: Part | None = None, **values: Any) -> Part:
    """Add a part (part None) or change one. Values: sku, barcode, name, unit_cost, price, serialised,
    active, models (text, one model a line). The SKU and the barcode are unique across both."""
    if actor.role not in CATALOGUE_ROLES:
        raise PermissionDenied(N_("Only the warehouse keeps the parts catalogue"))
    errors: dict[str, str] = {}
    sku = _code(values, "sku", errors, N_("Enter the SKU"))
    barcode = _code(values, "barcode", errors, None) or None
    own = part.id if part is not None else -1
    for field, code in (("sku", sku), ("barcode", barcode)):
        if code and field not in errors and session.scalar(select(Part.id).where(
                (Part.sku == code) | (Part.barcode == code), Part.id != own).limit(1)):
            errors[field] = N_("Another part already has this code")
    clean = {
        "sku": sku, "barcode": barcode,
        "name": clean_text(values, "name", errors, 200, N_("Enter the name")),
        "unit_cost": clean_amount(values.get("unit_cost") or 0, "unit_cost", errors, MAX_AMOUNT,
                                  N_("From 0 to 10,000,000")),
        "price": clean_amount(values.get("price") or 0, "price", errors, MAX_AMOUNT, N_("From 0 to 10,000,000")),
        "serialised": bool(values.get("serialised")),
        "active": bool(values.get("active", True)),
    }
    models = _models(session, values.get("models"), errors)
    if errors:
        unknown = errors.pop("_unknown", "")
        if unknown:
            raise ValidationFailed(N_("The part was not saved: no model is called %(names)s"), errors=errors,
                                   names=unknown)
        raise ValidationFailed(N_("The part was not saved"), errors=errors)
    if part is None:
        part = Part(**clean)
        session.add(part)
    else:
        for name, value in clean.items():
            setattr(part, name, value)
    part.compatible_models = models
    session.flush()
    return part


def models_text(part: Part) -> str:
    """The part's models as the form shows them, one "Brand Model" a line."""
    return "\n".join(f"{m.manufacturer.name} {m.name}" for m in part.compatible_models)
