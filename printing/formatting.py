"""Russian formats for printed documents: money, quantities, dates (no locale lookups).

Babel gives the same strings (`format_currency(1234.5, "RUB", locale="ru")` → `1 234,50 ₽`,
groups separated by a no-break space); these few lines avoid loading locale data per call.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
RUBLE = "₽"
CENT = Decimal("0.01")


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.append(digits[-3:])
        digits = digits[:-3]
    groups.append(digits)
    return NBSP.join(reversed(groups))


def format_amount(value: Decimal) -> str:
    """`Decimal("1234.5")` → `1 234,50` (no-break space between groups, comma before kopecks)."""
    value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):.2f}".partition(".")
    return f"{sign}{_group(whole)},{frac}"


def format_money(value: Decimal) -> str:
    """`Decimal("1234.5")` → `1 234,50 ₽`, with no-break spaces so it never wraps."""
    return f"{format_amount(value)}{NBSP}{RUBLE}"


def format_quantity(value: Decimal) -> str:
    """`Decimal("2")` → `2`, `Decimal("1.50")` → `1,5`."""
    value = Decimal(value)
    text = f"{value.normalize():f}" if value != value.to_integral_value() else f"{value.to_integral_value():f}"
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    return f"{sign}{_group(whole)}" + (f",{frac}" if frac else "")


def format_date(value: date | None, missing: str = "—") -> str:
    """`date(2026, 3, 12)` → `12.03.2026`; None → the `missing` text."""
    return value.strftime("%d.%m.%Y") if value is not None else missing


def format_datetime(value: datetime) -> str:
    """`datetime(2026, 3, 12, 14, 5)` → `12.03.2026 14:05` (the caller passes local time)."""
    return value.strftime("%d.%m.%Y %H:%M")
