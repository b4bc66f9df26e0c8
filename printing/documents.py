"""What each A4 document says: frozen dataclasses of plain values (str, date, datetime, Decimal, tuples).

The domain builds these from its models (servicecenter/*/documents.py); the renderers take
nothing else. Times are already in the center's local time: printing has no clock and no zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from printing.barcodes import check_barcode_value
from printing.formatting import CENT, format_money


def _tuple(obj: object, name: str) -> None:
    """Accept any iterable for a tuple field, so callers may pass lists."""
    object.__setattr__(obj, name, tuple(getattr(obj, name)))


@dataclass(frozen=True, kw_only=True)
class CenterInfo:
    """The service center as printed in a document's header."""

    name: str
    address: str
    phone: str
    hours: str = ""
    legal: str = ""  # the executor's legal details on acts: "ООО «…», ИНН …, ОГРН …"


@dataclass(frozen=True, kw_only=True)
class CustomerInfo:
    name: str
    phone: str
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class UnitInfo:
    manufacturer: str
    model: str
    serial: str
    purchase_date: date | None = None
    seller: str = ""


@dataclass(frozen=True, kw_only=True)
class WorkOrderDoc:
    """Заказ-наряд: what the clerk received, printed at intake and signed by both sides."""

    number: str
    center: CenterInfo
    created: datetime  # local time of the center
    customer: CustomerInfo
    unit: UnitInfo
    warranty_covered: bool
    warranty_reason: str  # "гарантия до 14.03.2027 (24 мес. с даты покупки 14.03.2025)" or why not
    fault: str
    condition: str = ""
    accessories: tuple[str, ...] = ()
    priority: str = ""  # text as shown, e.g. "Обычная", "Срочная"
    order_type: str = ""  # text as shown, e.g. "Гарантийный ремонт"
    terms: str = ""  # terms of service, paragraphs separated by blank lines
    clerk: str = ""
    copies: int = 1  # 2: two copies on one A4 sheet (customer's and center's), cut along the line

    def __post_init__(self) -> None:
        check_barcode_value(self.number)
        _tuple(self, "accessories")
        if self.copies not in (1, 2):
            raise ValueError(f"copies must be 1 or 2, not {self.copies!r}")


@dataclass(frozen=True, kw_only=True)
class ActLine:
    """One row of works or parts; amount must equal qty × price rounded to kopecks."""

    description: str
    qty: Decimal
    price: Decimal
    amount: Decimal
    measure: str = "шт."

    def __post_init__(self) -> None:
        expected = (Decimal(self.qty) * Decimal(self.price)).quantize(CENT, rounding=ROUND_HALF_UP)
        if Decimal(self.amount).quantize(CENT) != expected:
            raise ValueError(f"{self.description!r}: amount {self.amount} ≠ {self.qty} × {self.price}")


@dataclass(frozen=True, kw_only=True)
class ActDoc:
    """Акт выполненных работ: what was done, for how much, signed at issue.

    `total` must equal the sum of all line amounts (a discount is a negative line); `vat` is
    the VAT included in the total, or None with `vat_rate` None for "Без НДС".
    """

    number: str
    center: CenterInfo
    issued: date
    order_number: str
    order_date: date
    customer: CustomerInfo
    unit: UnitInfo
    works: tuple[ActLine, ...]
    parts: tuple[ActLine, ...] = ()
    total: Decimal
    vat_rate: Decimal | None = None  # percent, e.g. Decimal("20")
    vat: Decimal | None = None
    payment: str = ""  # "Оплачено наличными 12.03.2026" / "Гарантийный ремонт, оплачивает производитель"
    outcome: str = ""  # result of the repair in words
    repair_warranty: str = ""  # our warranty on the work done
    executor: str = ""  # who signs for the center
    received: date | None = None  # when the unit was received, if different from order_date

    def __post_init__(self) -> None:
        check_barcode_value(self.order_number)
        _tuple(self, "works")
        _tuple(self, "parts")
        if Decimal(self.total).quantize(CENT) != self.lines_total.quantize(CENT):
            raise ValueError(f"total {format_money(self.total)} ≠ sum of lines {format_money(self.lines_total)}")
        if (self.vat is None) != (self.vat_rate is None):
            raise ValueError("vat and vat_rate go together (both None means 'Без НДС')")

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.works + self.parts), Decimal("0"))


@dataclass(frozen=True, kw_only=True)
class ConclusionDoc:
    """Техническое заключение: why a unit is refused or cannot be repaired."""

    number: str
    center: CenterInfo
    issued: date
    order_number: str
    order_date: date
    customer: CustomerInfo
    unit: UnitInfo
    fault: str  # as the customer stated it
    findings: str  # what the diagnosis found
    conclusion: str  # the decision and its grounds
    recommendations: str = ""
    engineer: str = ""
    approved_by: str = ""  # head of the center, if the conclusion needs a second signature

    def __post_init__(self) -> None:
        check_barcode_value(self.order_number)
