"""Warranty arithmetic: the end date of a term counted in months (last day inclusive)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (29 Feb + 12 → 28 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def warranty_end(purchase_date: date | None, months: int, override: date | None = None) -> date | None:
    """The last day under warranty, or None when there is nothing to count from."""
    if override is not None:
        return override
    if purchase_date is None:
        return None
    return add_months(purchase_date, months)
