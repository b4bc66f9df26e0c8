"""Time: stored in UTC, shown and reasoned about in a center's local time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar date of `moment` in the given time zone (e.g. a center's)."""
    return moment.astimezone(ZoneInfo(tz_name)).date()
