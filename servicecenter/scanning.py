"""The one scan parser: what a USB scanner typed, back to the code it read, and what that code is.

A keyboard-wedge scanner sends key codes. On a workstation whose layout is Russian, a scanned
`MSK-2026-000123` arrives as `ЬЫЛ-2026-000123`: when the input holds letters of the Russian
layout, every key is mapped back to what the same key types in the US layout. Stray blanks,
Enter/Tab and lower case do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicecenter.errors import N_, ValidationFailed

# The ЙЦУКЕН keys and what the same physical key types in the US (QWERTY) layout.
_RU_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю.ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,\"№;:?"
_US_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./~QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?@#$^&"
assert len(_RU_KEYS) == len(_US_KEYS)
_LAYOUT = str.maketrans(_RU_KEYS, _US_KEYS)
_RUSSIAN_LETTER = re.compile(r"[а-яёА-ЯЁ]")
MAX_SCAN = 80

ORDER_NUMBER = re.compile(r"^[A-Z0-9]{2,8}-\d{4}-\d{6}$")


def normalise_scan(raw: str | None) -> str:
    """The code a scanner read: layout-shifted keys mapped back, blanks dropped, upper case."""
    text = re.sub(r"\s+", "", raw or "")
    if _RUSSIAN_LETTER.search(text):
        text = text.translate(_LAYOUT)
    code = text.upper()
    if not code:
        raise ValidationFailed(N_("Nothing was scanned"), errors={"code": N_("Empty")})
    if len(code) > MAX_SCAN or not code.isprintable():
        raise ValidationFailed(N_("This is not a code we print or know: %(code)s"),
                               errors={"code": N_("Not a known code")}, code=code[:MAX_SCAN])
    return code


class ScanKind(StrEnum):
    ORDER = "order"
    UNIT = "unit"
    PART = "part"
    SHELF = "shelf"
    SHIPMENT = "shipment"


@dataclass(frozen=True)
class ScanResult:
    """What a code is. `ref` is the order/shipment number, shelf code, part SKU or unit id."""

    kind: ScanKind
    code: str
    ref: str
    candidates: tuple[int, ...] = field(default=())  # units: every unit with this serial


def identify(session: Session, raw: str) -> ScanResult | None:
    """Say what a scanned code is, as the session's scope sees it; None when nothing matches."""
    from servicecenter.centers.models import Location, LocationKind
    from servicecenter.equipment.models import Unit
    from servicecenter.repairs.models import RepairOrder
    from servicecenter.shipments.models import Shipment
    from servicecenter.stock.models import Part

    code = normalise_scan(raw)
    if ORDER_NUMBER.match(code):
        number = session.scalar(select(RepairOrder.number).where(RepairOrder.number == code))
        if number:
            return ScanResult(ScanKind.ORDER, code, number)
    shipment = session.scalar(select(Shipment.number).where(Shipment.number == code))
    if shipment:
        return ScanResult(ScanKind.SHIPMENT, code, shipment)
    shelf = session.scalar(select(Location.code).where(
        Location.code == code, Location.kind.in_([LocationKind.SHELF, LocationKind.WAREHOUSE])))
    if shelf:
        return ScanResult(ScanKind.SHELF, code, shelf)
    part = session.scalar(select(Part.sku).where(or_(Part.barcode == code, Part.sku == code)))
    if part:
        return ScanResult(ScanKind.PART, code, part)
    units = tuple(session.scalars(select(Unit.id).where(Unit.serial == code).order_by(Unit.id)))
    if units:
        return ScanResult(ScanKind.UNIT, code, str(units[0]), units)
    return None
