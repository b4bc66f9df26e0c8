"""Reading a report's filter from the query string: dates, center, brand, category — or a clear refusal.

Bad input is never quietly replaced by other figures: an impossible date, a period that ends before it
starts or runs over three years, an unknown center, brand or category is refused (400) with a message
naming it. A team lead's and a partner's center is their own: the filter is forced to it, and asking
for another center (by hand-editing the address) is refused (403) with the same answer whether that
center exists or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date, utcnow
from servicecenter.fields import parse_id
from servicecenter.reports.base import REPORT_TZ, ReportFilter

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_YEARS = 3
MAX_TEXT = 200


class FilterRefused(Exception):
    """The filter cannot be used; `message` is shown on the page with `status`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class FilterEcho:
    """What the form shows back: the values as typed, the messages, and the choices."""

    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    status: int = 200


def today() -> date:
    """Today in the reporting time zone (the network's calendar)."""
    return local_date(utcnow(), REPORT_TZ)


def quick_periods(day: date) -> list[tuple[str, date, date]]:
    """The quick links: last 7 days, this month so far, last month, this year so far."""
    month_start = day.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    return [
        (str(_l("Last 7 days")), day - timedelta(days=6), day),
        (str(_l("This month")), month_start, day),
        (str(_l("Last month")), last_month_end.replace(day=1), last_month_end),
        (str(_l("This year")), day.replace(month=1, day=1), day),
    ]


def parse_date(text: str, label: str) -> date:
    """A YYYY-MM-DD date, or a refusal naming the field and what was typed."""
    text = text.strip()
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise FilterRefused(_("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).", field=label,
                              value=text[:40])) from None


def check_period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts or is longer than three years."""
    if start > end:
        raise FilterRefused(_("The period starts (%(start)s) after it ends (%(end)s).", start=start.isoformat(),
                              end=end.isoformat()))
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + MAX_YEARS, day=28)
    if end >= limit:
        raise FilterRefused(_("The period is longer than %(years)s years; choose a shorter one.", years=MAX_YEARS))


def _int_id(text: str, message: str) -> int:
    number = parse_id(text)
    if number is None:
        raise FilterRefused(message)
    return number


def own_center_only(user: User) -> bool:
    """Everyone but the head office's administrators sees their own center's figures only."""
    return user.role != Role.ADMIN


def forced_center(user: User, asked: str) -> int | None:
    """The center the figures are for: the admin's choice (None: all), otherwise the user's own."""
    asked = asked.strip()
    if own_center_only(user):
        if asked and asked != str(user.center_id):
            raise FilterRefused(_("You can see only your own center's figures."), status=403)
        return user.center_id
    return int(asked) if asked else None


def read_filter(session: Session, user: User, args: dict[str, str]) -> ReportFilter:
    """The report filter from the query string (defaults: this month so far, every center the user may see)."""
    day = today()
    raw_from, raw_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    start = parse_date(raw_from, _("From")) if raw_from else day.replace(day=1)
    end = parse_date(raw_to, _("To")) if raw_to else day
    check_period(start, end)

    center_text = (args.get("center") or "").strip()
    if not own_center_only(user) and center_text:
        center_text = str(_int_id(center_text, _("There is no service center “%(value)s”.", value=center_text[:40])))
        if session.get(ServiceCenter, int(center_text)) is None:
            raise FilterRefused(_("There is no service center “%(value)s”.", value=center_text[:40]))
    center_id = forced_center(user, center_text)

    brand_text = (args.get("brand") or "").strip()
    brand_id = None
    if brand_text:
        brand_id = _int_id(brand_text, _("There is no brand “%(value)s”.", value=brand_text[:40]))
        if session.get(Manufacturer, brand_id) is None:
            raise FilterRefused(_("There is no brand “%(value)s”.", value=brand_text[:40]))

    category = (args.get("category") or "").strip()[:MAX_TEXT] or None
    if category is not None and category not in categories(session):
        raise FilterRefused(_("There is no product category “%(value)s”.", value=category[:40]))
    return ReportFilter(date_from=start, date_to=end, center_id=center_id, manufacturer_id=brand_id,
                        category=category)


def centers(session: Session) -> list[tuple[int, str]]:
    """The admin's center picker: (id, "CODE — name")."""
    c = ServiceCenter
    return [(i, f"{code} — {name}") for i, code, name in session.execute(
        select(c.id, c.code, c.name).order_by(c.active.desc(), c.code))]


def brands(session: Session) -> list[tuple[int, str]]:
    return [(i, name) for i, name in session.execute(
        select(Manufacturer.id, Manufacturer.name).order_by(Manufacturer.name))]


def categories(session: Session) -> list[str]:
    return [c for c in session.scalars(select(ProductModel.category).distinct().order_by(ProductModel.category)) if c]


def filter_args(flt: ReportFilter, user: User) -> dict[str, str]:
    """The filter as query arguments (for the export links and the quick periods), normalised: never
    an echo of what else was typed into the address."""
    args = {"from": flt.date_from.isoformat(), "to": flt.date_to.isoformat()}
    if flt.center_id is not None and not own_center_only(user):
        args["center"] = str(flt.center_id)
    if flt.manufacturer_id is not None:
        args["brand"] = str(flt.manufacturer_id)
    if flt.category:
        args["category"] = flt.category
    return args
