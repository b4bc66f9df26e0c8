"""Service centers and their stock locations (warehouses and shelves): the administrator's operations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES
from servicecenter.accounts.services import EMAIL_RE, require_admin
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import check_known, clean_text

# The code starts every order number of the center (CODE-YEAR-NNNNNN), so it stays short and plain.
CENTER_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,7}$")
# Location codes are printed as barcodes on shelf labels: no spaces, no lower case.
LOCATION_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,39}$")
STOCK_KINDS = (LocationKind.WAREHOUSE, LocationKind.SHELF)
CENTER_FIELDS = frozenset({"code", "name", "kind", "city", "region", "address", "phone", "email", "timezone",
                           "hours", "brands", "active", "repair_warranty_days", "label_profile", "label_qr"})
LABEL_QR_CHOICES = ("none", "staff", "status")
MAX_REPAIR_WARRANTY_DAYS = 3650
LOCATION_FIELDS = frozenset({"code", "name", "kind", "parent", "is_main", "active", "notes"})


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    # "localtime" and friends name whatever the host is set to, not a place.
    return frozenset(available_timezones() - {"localtime", "Factory", "posixrules"})


def is_valid_timezone(name: str) -> bool:
    """An IANA time zone name spelled exactly (e.g. Europe/Moscow, Asia/Yekaterinburg)."""
    if name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True




# --- Service centers ----------------------------------------------------------------------------

def _misfit_users(session: Session, center: ServiceCenter, kind: CenterKind) -> int:
    """Users of the center whose role would not fit it once it is of `kind` (see role_fits_center)."""
    wrong = User.role.not_in(PARTNER_ROLES) if kind == CenterKind.PARTNER else User.role.in_(PARTNER_ROLES)
    return session.scalar(select(func.count()).select_from(User).where(User.center_id == center.id, wrong)) or 0


def _clean_center(session: Session, center: ServiceCenter | None, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    code = str(values.get("code") or "").strip().upper()
    if not code:
        errors["code"] = N_("Enter a code")
    elif not CENTER_CODE_RE.match(code):
        errors["code"] = N_("Up to 8 Latin letters, digits or dashes")
    elif session.scalar(select(ServiceCenter.id).where(func.upper(ServiceCenter.code) == code,
                                                       ServiceCenter.id != (center.id if center else -1))):
        errors["code"] = N_("A service center with this code already exists")
    clean["code"] = code
    clean["name"] = clean_text(values, "name", errors, 200, N_("Enter the name"))
    try:
        clean["kind"] = CenterKind(values.get("kind"))
    except ValueError:
        errors["kind"] = N_("Unknown kind of center")
    for field, max_len in (("city", 100), ("region", 100), ("address", 300), ("phone", 32), ("hours", 200)):
        clean[field] = clean_text(values, field, errors, max_len)
    email = str(values.get("email") or "").strip().lower()
    if email and (len(email) > 200 or not EMAIL_RE.match(email)):
        errors["email"] = N_("Not an e-mail address")
    clean["email"] = email
    timezone = str(values.get("timezone") or "").strip()
    if not is_valid_timezone(timezone):
        errors["timezone"] = N_("Not a known time zone (e.g. Europe/Moscow)")
    clean["timezone"] = timezone
    brands = list(values.get("brands") or ())
    if any(not isinstance(b, Manufacturer) or b.id is None for b in brands):
        errors["brands"] = N_("Unknown manufacturer")
    clean["brands"] = brands
    clean["active"] = bool(values.get("active", True))
    days = values.get("repair_warranty_days", 90)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_REPAIR_WARRANTY_DAYS:
        errors["repair_warranty_days"] = N_("Between 0 and 3650 days")
    clean["repair_warranty_days"] = days
    from printing.labels import PRESETS

    clean["label_profile"] = str(values.get("label_profile") or "58x40")
    if clean["label_profile"] not in PRESETS:
        errors["label_profile"] = N_("Unknown label size")
    clean["label_qr"] = str(values.get("label_qr") or "none")
    if clean["label_qr"] not in LABEL_QR_CHOICES:
        errors["label_qr"] = N_("Unknown choice")
    kind = clean.get("kind")
    if center is not None and kind is not None and kind != center.kind and _misfit_users(session, center, kind):
        errors["kind"] = N_("Some users of this center have roles that do not fit this kind of center; "
                            "change their roles first")
    if errors:
        raise ValidationFailed(N_("The service center was not saved"), errors=errors)
    return clean


def create_center(
    session: Session,
    actor: User,
    *,
    code: str,
    name: str,
    kind: CenterKind | str = CenterKind.OWN,
    city: str = "",
    region: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    timezone: str = "Europe/Moscow",
    hours: str = "",
    brands: Iterable[Manufacturer] = (),
    active: bool = True,
    repair_warranty_days: int = 90,
    label_profile: str = "58x40",
    label_qr: str = "none",
) -> ServiceCenter:
    """Create a service center (own or partner) with the brands it is authorised for."""
    require_admin(actor)
    clean = _clean_center(session, None, {
        "code": code, "name": name, "kind": kind, "city": city, "region": region, "address": address,
        "phone": phone, "email": email, "timezone": timezone, "hours": hours, "brands": brands, "active": active,
        "repair_warranty_days": repair_warranty_days, "label_profile": label_profile, "label_qr": label_qr,
    })
    center = ServiceCenter(**clean)
    session.add(center)
    session.flush()
    return center


def update_center(session: Session, actor: User, center: ServiceCenter, **changes: Any) -> ServiceCenter:
    """Change a center's fields (any of CENTER_FIELDS); the others keep their values."""
    require_admin(actor)
    check_known(CENTER_FIELDS, changes, "update_center")
    values = {field: getattr(center, field) for field in CENTER_FIELDS if field != "brands"}
    values["brands"] = list(center.brands)
    values.update(changes)
    clean = _clean_center(session, center, values)
    for field, value in clean.items():
        setattr(center, field, value)
    session.flush()
    return center


# --- Warehouses and shelves ---------------------------------------------------------------------

def _clean_location(session: Session, center: ServiceCenter, location: Location | None,
                    values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    code = str(values.get("code") or "").strip().upper()
    if not code:
        errors["code"] = N_("Enter a code")
    elif not LOCATION_CODE_RE.match(code):
        errors["code"] = N_("Latin letters, digits and . _ / - only, up to 40")
    elif session.scalar(select(Location.id).where(func.upper(Location.code) == code,
                                                  Location.id != (location.id if location else -1))):
        errors["code"] = N_("A location with this code already exists")
    clean["code"] = code
    clean["name"] = clean_text(values, "name", errors, 200, N_("Enter the name"))
    clean["notes"] = clean_text(values, "notes", errors, 2000)
    kind = next((k for k in STOCK_KINDS if k == values.get("kind")), None)  # StrEnum: "shelf" matches too
    if kind is None:
        errors["kind"] = N_("Choose warehouse or shelf")
    clean["kind"] = kind
    parent = values.get("parent")
    if kind == LocationKind.WAREHOUSE and parent is not None:
        errors["parent"] = N_("A warehouse is not placed inside another location")
    elif kind == LocationKind.SHELF:
        if parent is None:
            errors["parent"] = N_("Choose the warehouse the shelf is in")
        elif (not isinstance(parent, Location) or parent.kind != LocationKind.WAREHOUSE
              or parent.center_id != center.id or (location is not None and parent.id == location.id)):
            errors["parent"] = N_("A shelf must be in a warehouse of the same service center")
        elif not parent.active and (location is None or parent.id != location.parent_id):
            errors["parent"] = N_("This warehouse is inactive")
    clean["parent"] = parent
    clean["active"] = bool(values.get("active", True))
    clean["is_main"] = bool(values.get("is_main", False))
    if clean["is_main"] and kind != LocationKind.WAREHOUSE:
        errors["is_main"] = N_("Only a warehouse can be the main one")
    elif clean["is_main"] and not clean["active"]:
        errors["is_main"] = N_("An inactive warehouse cannot be the main one")
    if location is not None and location.kind == LocationKind.WAREHOUSE:
        if kind == LocationKind.SHELF and location.children:
            errors["kind"] = N_("This warehouse has shelves; move them to another warehouse first")
        if not clean["active"] and any(child.active for child in location.children):
            errors["active"] = N_("Deactivate the warehouse's shelves first")
    if errors:
        raise ValidationFailed(N_("The location was not saved"), errors=errors)
    return clean


def _one_main(session: Session, location: Location) -> None:
    """A center has at most one main warehouse: marking one unmarks the others."""
    if not location.is_main:
        return
    for other in session.scalars(select(Location).where(Location.center_id == location.center_id,
                                                        Location.is_main.is_(True), Location.id != location.id)):
        other.is_main = False


def create_location(
    session: Session,
    actor: User,
    center: ServiceCenter,
    *,
    code: str,
    name: str,
    kind: LocationKind | str,
    parent: Location | None = None,
    is_main: bool = False,
    active: bool = True,
    notes: str = "",
) -> Location:
    """Create a warehouse of a center, or a shelf in one of its warehouses."""
    require_admin(actor)
    clean = _clean_location(session, center, None, {"code": code, "name": name, "kind": kind, "parent": parent,
                                                    "is_main": is_main, "active": active, "notes": notes})
    location = Location(center_id=center.id, **clean)
    session.add(location)
    session.flush()
    _one_main(session, location)
    session.flush()
    return location


def update_location(session: Session, actor: User, location: Location, **changes: Any) -> Location:
    """Change a warehouse or shelf (any of LOCATION_FIELDS); it stays in its center."""
    require_admin(actor)
    check_known(LOCATION_FIELDS, changes, "update_location")
    if location.kind not in STOCK_KINDS or location.center is None:
        raise ValidationFailed(N_("Only warehouses and shelves are managed here"))
    values = {field: getattr(location, field) for field in LOCATION_FIELDS}
    values.update(changes)
    clean = _clean_location(session, location.center, location, values)
    for field, value in clean.items():
        setattr(location, field, value)
    _one_main(session, location)
    session.flush()
    return location
