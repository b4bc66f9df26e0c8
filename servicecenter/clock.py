"""Time: stored in UTC, shown and reasoned about in a center's local time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar date of `moment` in the given time zone (e.g. a center's)."""
    return moment.astimezone(ZoneInfo(tz_name)).date()


def week_start(moment: datetime, tz_name: str) -> date:
    """Monday of the week containing `moment` in the time zone (weeks run Monday to Sunday)."""
    today = local_date(moment, tz_name)
    return today - timedelta(days=today.weekday())


def local_datetime(moment: datetime, tz_name: str) -> datetime:
    """`moment` as the wall clock of the time zone shows it (naive, for paper and spreadsheets)."""
    return moment.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)
