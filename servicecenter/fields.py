"""Small checks shared by the administration services (clean text, known field names)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from servicecenter.errors import N_


def clean_text(values: dict[str, Any], field: str, errors: dict[str, str], max_len: int,
               required: str | None = None) -> str:
    """The field's text, stripped; a missing required value or an over-long one goes into `errors`."""
    value = str(values.get(field) or "").strip()
    if required and not value:
        errors[field] = required
    elif len(value) > max_len:
        errors[field] = N_("Too long")
    return value


MAX_ID = 2**31 - 1  # an Integer primary key; a larger number is refused by PostgreSQL before any lookup


def parse_id(text: Any) -> int | None:
    """A row id typed into an address or form: ASCII digits from 1 to MAX_ID, else None.

    Not str.isdigit() alone: "²" and "١" are digits to it but not to int(), and 10**12 overflows
    PostgreSQL's integer."""
    text = str(text if text is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def clean_amount(value: Any, field: str, errors: dict[str, str], high: Decimal, message: str) -> Decimal | None:
    """A typed amount ("1 250,50") from 0 to `high`, to the kopeck; else `message` goes into `errors`."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(
            str(value).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or not Decimal(0) <= amount <= high:
        errors[field] = message
        return None
    return amount.quantize(Decimal("0.01"))


def check_known(fields: frozenset[str], changes: dict[str, Any], name: str) -> None:
    """A programming error, not user input: an update service was given a field it does not have."""
    unknown = set(changes) - fields
    if unknown:
        raise TypeError(f"{name}() got unknown fields: {', '.join(sorted(unknown))}")
