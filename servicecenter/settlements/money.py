"""Money of settlements: the one place where amounts are rounded to kopecks.

Every amount of a statement or a claim line is rounded here, line by line; a total is always the
sum of its (rounded) lines, never a rounded sum of unrounded figures.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")


def kopecks(value: object) -> Decimal:
    """`value` as a Decimal rounded half-up to kopecks (333.335 → 333.34; never a binary float)."""
    if isinstance(value, float):
        value = repr(value)  # the shortest decimal that names the float, not its binary expansion
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


def vat_on(net: Decimal, rate: Decimal) -> Decimal:
    """VAT charged on top of a net amount at `rate` per cent, rounded to kopecks."""
    return kopecks(Decimal(net) * Decimal(rate) / Decimal(100))


def total(amounts: object) -> Decimal:
    """The sum of already rounded amounts (a list of lines' figures)."""
    return sum((kopecks(a) for a in amounts), ZERO)  # type: ignore[union-attr]
