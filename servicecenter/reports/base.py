"""What every report is made of: one filter in, tables and charts out, each figure able to name the
orders behind it.

A report is a function `(session, ReportFilter) -> Report`, registered in `REPORTS` under a stable key
(the URL and the benchmark use it). It reads through the session it is given, so a partner's walled
session sees only its own center's figures without the report doing anything. A figure that counts
orders carries a `Drill`: the order filter that lists exactly the orders it counted
(`reports.drill.orders_behind` runs it), so the page links each number to its orders.

Periods are dates, both ends included, in the network's reporting time zone (`REPORT_TZ`); a report
converts them to UTC instants once (`ReportFilter.bounds`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

REPORT_TZ = "Europe/Moscow"  # the head office's day: a network's reports share one calendar

Number = int | float | Decimal


@dataclass(frozen=True)
class ReportFilter:
    """Period (dates, both included, in REPORT_TZ) and the optional center, brand and product category."""

    date_from: date
    date_to: date
    center_id: int | None = None
    manufacturer_id: int | None = None
    category: str | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: from 00:00 of date_from to 00:00 after date_to, in REPORT_TZ."""
        zone = ZoneInfo(REPORT_TZ)
        start = datetime.combine(self.date_from, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
        return start, end


@dataclass(frozen=True)
class Drill:
    """The orders behind a figure: plain filter values (strings), the same ones the orders list reads.

    Keys (all optional): from, to (dates ISO; period on `basis`), basis (received|ready|issued|created|
    paid — which moment the period applies to), center, brand (manufacturer id), category, model (id),
    engineer (user id, or "none"), state (comma list), outcome (comma list), warranty (yes|no), payer
    (comma list), billed (yes: an amount was due), overdue (yes), in_time (yes|no), repeat (yes: a
    repair of a unit repaired before within 90 days), symptom (code id), cause (code id), part (part
    id), open (yes: not issued or cancelled). `reports.drill.orders_behind` refuses anything else.
    """

    params: dict[str, str]


@dataclass(frozen=True)
class Cell:
    value: Any  # int, Decimal, float (shares 0..1, medians in hours), str, or None (no data)
    drill: Drill | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # an English msgid, marked N_(); the web layer translates it
    kind: str = "text"  # text | int | money | share | hours | days


@dataclass(frozen=True)
class Table:
    title: str  # msgid
    columns: list[Column]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class Series:
    name: str  # msgid or a proper name (a brand, a center)
    values: list[Number | None]


@dataclass(frozen=True)
class Chart:
    title: str  # msgid
    kind: str  # "bar" (categories) or "line" (a trend over weeks)
    labels: list[str]  # category names or week starts (ISO dates)
    series: list[Series]
    unit: str = ""  # shown on the axis: "", "%", "h", "₽"


@dataclass(frozen=True)
class Report:
    key: str
    title: str  # msgid
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # msgids: how the figures are counted


ReportFunction = Callable[[Session, ReportFilter], Report]
REPORTS: dict[str, tuple[str, ReportFunction]] = {}  # key -> (title msgid, function), in menu order


def report(key: str, title: str) -> Callable[[ReportFunction], ReportFunction]:
    """Register a report function under a stable key."""

    def register(fn: ReportFunction) -> ReportFunction:
        REPORTS[key] = (title, fn)
        return fn

    return register
