"""Due-date arithmetic: pure functions, no database, no clock.

A term of N days starts the day after the order was received (as the Civil Code counts
terms) and ends at the end of its last day in the center's time zone; the moment is kept
in UTC. Business days skip weekends and the calendar's holidays; a day marked as working
(a Saturday worked in exchange for a holiday) counts even on a weekend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# The consumer-protection limit for a warranty repair (Закон о защите прав потребителей, ст. 20).
LEGAL_WARRANTY_DAYS = 45
END_OF_DAY = time(23, 59, 59)


class DayUnit(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked: Monday to Friday, minus holidays, plus working weekend days."""

    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday

    def is_working(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays


WEEKENDS_ONLY = WorkCalendar()


@dataclass(frozen=True)
class Terms:
    """What a rule says, as plain values (the computation needs nothing else)."""

    diagnosis_days: int
    diagnosis_unit: DayUnit
    repair_days: int
    repair_unit: DayUnit
    margin: timedelta
    pause_on_approval: bool = True
    pause_in_transit: bool = False
    rule_id: int | None = None  # None: the network's defaults


@dataclass(frozen=True)
class DueDates:
    diagnosis_due: datetime
    repair_due: datetime
    legal_due: datetime | None


@dataclass
class Calculator:
    """Computes due dates for one center; remembers results per (day, term) so that a
    recomputation of thousands of orders received on a few hundred days stays cheap."""

    timezone: str
    calendar: WorkCalendar = WEEKENDS_ONLY
    _memo: dict[tuple[date, int, DayUnit], datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._zone = ZoneInfo(self.timezone)

    def end_of_day(self, day: date) -> datetime:
        """23:59:59 of `day` in the center's time zone, as a UTC moment."""
        return datetime.combine(day, END_OF_DAY, tzinfo=self._zone).astimezone(UTC)

    def last_day(self, start: date, days: int, unit: DayUnit) -> date:
        """The last day of a term of `days` days counted from the day after `start`."""
        if unit == DayUnit.CALENDAR:
            return start + timedelta(days=days)
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if self.calendar.is_working(day):
                left -= 1
        return day

    def due(self, received: datetime, days: int, unit: DayUnit) -> datetime:
        start = received.astimezone(self._zone).date()
        key = (start, days, DayUnit(unit))
        if key not in self._memo:
            self._memo[key] = self.end_of_day(self.last_day(start, days, DayUnit(unit)))
        return self._memo[key]

    def due_dates(self, received: datetime, terms: Terms, *, warranty: bool,
                  paused: timedelta = timedelta(0)) -> DueDates:
        """Diagnosis and repair due (pushed later by the time spent paused), and the legal limit
        of a warranty order (which never pauses)."""
        return DueDates(
            diagnosis_due=self.due(received, terms.diagnosis_days, terms.diagnosis_unit) + paused,
            repair_due=self.due(received, terms.repair_days, terms.repair_unit) + paused,
            legal_due=legal_due(received, self.timezone) if warranty else None,
        )


def legal_due(received: datetime, timezone: str) -> datetime:
    """The end of the 45th calendar day after the day of intake, in the center's time zone."""
    day = received.astimezone(ZoneInfo(timezone)).date() + timedelta(days=LEGAL_WARRANTY_DAYS)
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def earliest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return min(present) if present else None
