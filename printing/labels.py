"""Unit labels: the profile (stock size, fields, codes) chosen per center, and the label's data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote

from printing.barcodes import check_barcode_value

SERIAL = "serial"
MODEL = "model"
FAULT = "fault"
INTAKE_DATE = "intake_date"
LABEL_FIELDS = (SERIAL, MODEL, FAULT, INTAKE_DATE)
INCH_MM = 25.4


@dataclass(frozen=True, kw_only=True)
class LabelProfile:
    """Label stock and content. The order number is always printed.

    `fields` lists the optional lines in the order printed (a subset of LABEL_FIELDS); lines
    that do not fit the stock are dropped from the end. `qr_url` is a URL template: `{number}`
    is replaced by the order number, e.g. "https://sc.example.ru/o/{number}" (staff page) or
    the customer status page; None prints no QR code.
    """

    name: str
    width_mm: float
    height_mm: float
    fields: tuple[str, ...] = LABEL_FIELDS
    code128: bool = True
    qr_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        unknown = [f for f in self.fields if f not in LABEL_FIELDS]
        if unknown:
            raise ValueError(f"unknown label fields {unknown}; known: {LABEL_FIELDS}")
        if not (25 <= self.width_mm <= 120 and 15 <= self.height_mm <= 120):
            raise ValueError(f"label {self.width_mm}×{self.height_mm} mm is outside 25–120 × 15–120 mm")
        if not self.code128 and not self.qr_url:
            raise ValueError("a label needs a Code 128, a QR code or both")

    def qr_target(self, number: str) -> str | None:
        """The URL the QR code opens for this order, or None."""
        return self.qr_url.replace("{number}", quote(number, safe="")) if self.qr_url else None


LABEL_58X40 = LabelProfile(name="58x40", width_mm=58, height_mm=40)
LABEL_58X30 = LabelProfile(name="58x30", width_mm=58, height_mm=30, fields=(SERIAL, MODEL, INTAKE_DATE))
LABEL_50X30 = LabelProfile(name="50x30", width_mm=50, height_mm=30, fields=(SERIAL, MODEL, INTAKE_DATE))
LABEL_225X125IN = LabelProfile(
    name="2.25x1.25in", width_mm=2.25 * INCH_MM, height_mm=1.25 * INCH_MM, fields=(SERIAL, MODEL, INTAKE_DATE)
)
LABEL_2X1IN = LabelProfile(name="2x1in", width_mm=2 * INCH_MM, height_mm=1 * INCH_MM, fields=(SERIAL, INTAKE_DATE))

PRESETS: dict[str, LabelProfile] = {
    p.name: p for p in (LABEL_58X40, LABEL_58X30, LABEL_50X30, LABEL_225X125IN, LABEL_2X1IN)
}


@dataclass(frozen=True, kw_only=True)
class LabelDoc:
    """One label: the unit's, or (with `accessory` set) an accessory's carrying the same number."""

    number: str
    serial: str
    model: str  # as printed, e.g. "ASUS X515EA"
    fault: str = ""  # short; cut to the line(s) the stock has room for
    intake_date: date
    profile: LabelProfile = LABEL_58X40
    accessory: str = ""

    def __post_init__(self) -> None:
        check_barcode_value(self.number)


def labels_with_accessories(label: LabelDoc, accessories: Iterable[str]) -> tuple[LabelDoc, ...]:
    """The unit's label, then one label per accessory received (same number, the accessory named)."""
    return (label, *(replace(label, accessory=name) for name in accessories if name.strip()))
