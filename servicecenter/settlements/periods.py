"""Settlement periods: calendar months in a center's local time zone.

A completion instant is stored in UTC; its month is the month of its local date at the repairing
center, so a repair finished at 23:59:59 local time on the 31st belongs to that month and one
finished a second later to the next, whatever the date is in UTC at that moment.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def period_of(moment: datetime, tz_name: str) -> str:
    """The period ("YYYY-MM") of a UTC moment at a center in time zone `tz_name`."""
    local = moment.astimezone(ZoneInfo(tz_name))
    return f"{local.year:04d}-{local.month:02d}"


def parse_period(period: str) -> tuple[int, int] | None:
    """(year, month) of a "YYYY-MM" period, or None when it is not one."""
    match = PERIOD.match(period or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def first_day_after(period: str) -> date:
    """The first day of the month after the period."""
    parsed = parse_period(period)
    if parsed is None:
        raise ValueError(f"not a period: {period!r}")
    year, month = parsed
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def period_end(period: str, tz_name: str) -> datetime:
    """The UTC moment the period ends at a center: midnight starting the next month, local time."""
    day = first_day_after(period)
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def has_ended(period: str, tz_name: str, now: datetime) -> bool:
    """Whether the month is over in that time zone at the moment `now`."""
    return now >= period_end(period, tz_name)


def period_label(period: str) -> str:
    """"2026-03" → "03.2026", as Russian documents write a month."""
    parsed = parse_period(period)
    return f"{parsed[1]:02d}.{parsed[0]:04d}" if parsed else period
