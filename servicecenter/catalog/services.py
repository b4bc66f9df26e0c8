"""Manufacturers and product models with their warranty terms: the administrator's operations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import check_known, clean_text

# Ten years covers every manufacturer's and every extended warranty we know of.
MAX_WARRANTY_MONTHS = 120
MANUFACTURER_FIELDS = frozenset({"name", "country", "default_warranty_months", "active"})
MODEL_FIELDS = frozenset({"manufacturer", "name", "category", "warranty_months", "active"})



def _months(value: Any, field: str, errors: dict[str, str]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = N_("Enter a whole number of months")
    elif not 0 <= value <= MAX_WARRANTY_MONTHS:
        errors[field] = N_("Between 0 and 120 months")
    return value



# --- Manufacturers ------------------------------------------------------------------------------

def _clean_manufacturer(session: Session, manufacturer: Manufacturer | None,
                        values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = clean_text(values, "name", errors, 120, N_("Enter the name"))
    # "LG" and "lg" are one brand: compared without case, so a typo cannot split a brand's history.
    if name and "name" not in errors and session.scalar(select(Manufacturer.id).where(
            func.lower(Manufacturer.name) == name.lower(),
            Manufacturer.id != (manufacturer.id if manufacturer else -1))):
        errors["name"] = N_("A manufacturer with this name already exists")
    clean = {
        "name": name,
        "country": clean_text(values, "country", errors, 80),
        "default_warranty_months": _months(values.get("default_warranty_months"), "default_warranty_months",
                                           errors),
        "active": bool(values.get("active", True)),
    }
    if errors:
        raise ValidationFailed(N_("The manufacturer was not saved"), errors=errors)
    return clean


def create_manufacturer(session: Session, actor: User, *, name: str, country: str = "",
                        default_warranty_months: int = 12, active: bool = True) -> Manufacturer:
    """Add a manufacturer (brand) with its general warranty term."""
    require_admin(actor)
    clean = _clean_manufacturer(session, None, {"name": name, "country": country, "active": active,
                                                "default_warranty_months": default_warranty_months})
    manufacturer = Manufacturer(**clean)
    session.add(manufacturer)
    session.flush()
    return manufacturer


def update_manufacturer(session: Session, actor: User, manufacturer: Manufacturer, **changes: Any) -> Manufacturer:
    """Change a manufacturer (any of MANUFACTURER_FIELDS); deactivate rather than delete."""
    require_admin(actor)
    check_known(MANUFACTURER_FIELDS, changes, "update_manufacturer")
    values = {field: getattr(manufacturer, field) for field in MANUFACTURER_FIELDS}
    values.update(changes)
    for field, value in _clean_manufacturer(session, manufacturer, values).items():
        setattr(manufacturer, field, value)
    session.flush()
    return manufacturer


# --- Product models -----------------------------------------------------------------------------

def _clean_model(session: Session, model: ProductModel | None, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    manufacturer = values.get("manufacturer")
    if not isinstance(manufacturer, Manufacturer) or manufacturer.id is None:
        errors["manufacturer"] = N_("Choose a manufacturer")
        manufacturer = None
    elif model is None or manufacturer.id != model.manufacturer_id:
        if not manufacturer.active:
            errors["manufacturer"] = N_("This manufacturer is inactive")
        elif model is not None and session.scalar(select(Unit.id).where(Unit.model_id == model.id).limit(1)):
            # Units carry their manufacturer too; moving the model would make them disagree.
            errors["manufacturer"] = N_("Units of this model are registered; its manufacturer cannot change")
    name = clean_text(values, "name", errors, 120, N_("Enter the name"))
    if manufacturer is not None and name and "name" not in errors and session.scalar(select(ProductModel.id).where(
            ProductModel.manufacturer_id == manufacturer.id, func.lower(ProductModel.name) == name.lower(),
            ProductModel.id != (model.id if model else -1))):
        errors["name"] = N_("This manufacturer already has a model with this name")
    months = values.get("warranty_months")
    if months is None and manufacturer is not None:
        months = manufacturer.default_warranty_months  # the manufacturer's general rule
    clean = {
        "manufacturer": manufacturer,
        "name": name,
        "category": clean_text(values, "category", errors, 80, N_("Enter the category")),
        "warranty_months": _months(months, "warranty_months", errors),
        "active": bool(values.get("active", True)),
    }
    if errors:
        raise ValidationFailed(N_("The model was not saved"), errors=errors)
    return clean


def create_model(session: Session, actor: User, *, manufacturer: Manufacturer, name: str, category: str,
                 warranty_months: int | None = None, active: bool = True) -> ProductModel:
    """Add a product model; without a warranty term it takes the manufacturer's default."""
    require_admin(actor)
    clean = _clean_model(session, None, {"manufacturer": manufacturer, "name": name, "category": category,
                                         "warranty_months": warranty_months, "active": active})
    model = ProductModel(**clean)
    session.add(model)
    session.flush()
    return model


def update_model(session: Session, actor: User, model: ProductModel, **changes: Any) -> ProductModel:
    """Change a product model (any of MODEL_FIELDS); deactivate rather than delete."""
    require_admin(actor)
    check_known(MODEL_FIELDS, changes, "update_model")
    values = {field: getattr(model, field) for field in MODEL_FIELDS}
    values.update(changes)
    for field, value in _clean_model(session, model, values).items():
        setattr(model, field, value)
    session.flush()
    return model
