"""Domain phrases (English templates with parameters) in the reader's language, dates as words."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, gettext

from servicecenter.clock import utcnow
from servicecenter.repairs.lookup import Phrase


def day(value: date) -> str:
    """A calendar date as people say it: "12 марта" this year, "12 марта 2027" otherwise."""
    return format_date(value, "d MMMM" if value.year == utcnow().year else "d MMMM y")


def say(phrase: Phrase | None) -> str:
    """The phrase translated, its dates (already the center's local dates) spelled out."""
    if phrase is None:
        return ""
    params = {k: day(v) if isinstance(v, date) and not isinstance(v, datetime) else v
              for k, v in phrase.params.items()}
    return gettext(phrase.message, **params) if params else gettext(phrase.message)
