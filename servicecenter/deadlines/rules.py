"""The administrator's operations on deadline rules and calendar days; each one recomputes the
due dates of the open orders it affects: inside the request when they are few (the admin sees how
many changed), in a background job after the commit when there are more than `INLINE_LIMIT`
(a center with 50,000 open orders takes some 15 s on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.customers.models import ServiceContract
from servicecenter.deadlines.calendar import DayUnit
from servicecenter.deadlines.jobs import RECOMPUTE_JOB
from servicecenter.deadlines.models import AppliesTo, CalendarDay, DeadlineRule
from servicecenter.deadlines.recompute import (
    centers_with_open_orders,
    count_open_orders,
    recompute_center,
    recompute_centers,
)
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import clean_text
from servicecenter.jobs.registry import enqueue_after_commit

MAX_DAYS = 365
INLINE_LIMIT = 2000  # open orders recomputed inside the admin's request; more go to a job


@dataclass(frozen=True)
class Recompute:
    """What became of the open orders' due dates after a change."""

    changed: int = 0  # orders whose dates moved (history written), when recomputed at once
    queued: int = 0  # open orders left to the background job (0: done at once)


def _recompute(session: Session, center_ids: Iterable[int], actor: User,
               inline_limit: int | None = None) -> Recompute:
    centers = sorted(set(center_ids))
    if not centers:
        return Recompute()
    waiting = count_open_orders(session, centers)
    if waiting <= (INLINE_LIMIT if inline_limit is None else inline_limit):
        return Recompute(changed=recompute_centers(session, centers, actor=actor))
    enqueue_after_commit(session, RECOMPUTE_JOB, center_ids=centers, actor_id=actor.id)
    return Recompute(queued=waiting)
MARGIN_UNITS = {"hours": 1, "days": 24}


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _days(value: Any, field: str, errors: dict[str, str]) -> int:
    days = _whole(value)
    if days is None or not 1 <= days <= MAX_DAYS:
        errors[field] = N_("A whole number of days from 1 to 365")
        return 0
    return days


def _choice(enum: type, value: Any, field: str, errors: dict[str, str]) -> Any:
    try:
        return enum(value)
    except ValueError:
        errors[field] = N_("Unknown value")
        return None


def _clean_rule(session: Session, rule: DeadlineRule | None, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    center_id = _whole(values.get("center_id"))
    if center_id is None or session.get(ServiceCenter, center_id) is None:
        errors["center_id"] = N_("Choose a service center")
    manufacturer_id = _whole(values.get("manufacturer_id")) if values.get("manufacturer_id") not in (None, "") else None
    if manufacturer_id is not None and session.get(Manufacturer, manufacturer_id) is None:
        errors["manufacturer_id"] = N_("No such manufacturer")
    contract_id = None
    number = clean_text(values, "contract_number", errors, 40)
    if number:
        contract_id = session.scalar(select(ServiceContract.id).where(ServiceContract.number == number))
        if contract_id is None:
            errors["contract_number"] = N_("No such contract")
    if manufacturer_id is not None and number:
        errors["contract_number"] = N_("A rule overrides for a manufacturer or for a contract, not both")
    diagnosis_days = _days(values.get("diagnosis_days"), "diagnosis_days", errors)
    repair_days = _days(values.get("repair_days"), "repair_days", errors)
    margin_unit = values.get("margin_unit") or "hours"
    margin = _whole(values.get("margin"))
    if margin_unit not in MARGIN_UNITS:
        errors["margin_unit"] = N_("Unknown value")
    elif margin is None or margin < 0:
        errors["margin"] = N_("Zero or more")
    elif diagnosis_days and repair_days and margin * MARGIN_UNITS[margin_unit] >= 24 * min(diagnosis_days, repair_days):
        errors["margin"] = N_("The margin must be shorter than the time to diagnosis and to repair")
    clean = {
        "center_id": center_id, "manufacturer_id": manufacturer_id, "contract_id": contract_id,
        "applies_to": _choice(AppliesTo, values.get("applies_to") or "any", "applies_to", errors),
        "diagnosis_days": diagnosis_days,
        "diagnosis_unit": _choice(DayUnit, values.get("diagnosis_unit") or "calendar", "diagnosis_unit", errors),
        "repair_days": repair_days,
        "repair_unit": _choice(DayUnit, values.get("repair_unit") or "calendar", "repair_unit", errors),
        "margin_hours": (margin or 0) * MARGIN_UNITS.get(margin_unit, 1),
        "pause_on_approval": bool(values.get("pause_on_approval")),
        "pause_in_transit": bool(values.get("pause_in_transit")),
        "active": bool(values.get("active", True)),
    }
    if not errors and clean["active"] and session.scalar(select(DeadlineRule.id).where(
            DeadlineRule.center_id == center_id, DeadlineRule.active.is_(True),
            DeadlineRule.manufacturer_id.is_(None) if manufacturer_id is None
            else DeadlineRule.manufacturer_id == manufacturer_id,
            DeadlineRule.contract_id.is_(None) if contract_id is None else DeadlineRule.contract_id == contract_id,
            DeadlineRule.applies_to == clean["applies_to"], DeadlineRule.id != (rule.id if rule else -1))):
        errors["applies_to"] = N_("The center already has an active rule for these orders; edit that one")
    if errors:
        raise ValidationFailed(N_("The deadline rule was not saved"), errors=errors)
    return clean


def save_rule(session: Session, actor: User, rule: DeadlineRule | None = None, *, inline_limit: int | None = None,
              **values: Any) -> tuple[DeadlineRule, Recompute]:
    """Create (rule None) or change a deadline rule, then recompute the due dates of the open
    orders of the center(s) concerned (at once, or in a job past `inline_limit` open orders).

    Values: center_id, manufacturer_id, contract_number, applies_to, diagnosis_days, diagnosis_unit,
    repair_days, repair_unit, margin, margin_unit ("hours"/"days"), pause_on_approval,
    pause_in_transit, active."""
    require_admin(actor)
    clean = _clean_rule(session, rule, values)
    centers = {clean["center_id"]}
    if rule is None:
        rule = DeadlineRule(**clean)
        session.add(rule)
    else:
        centers.add(rule.center_id)
        for name, value in clean.items():
            setattr(rule, name, value)
    session.flush()
    return rule, _recompute(session, centers, actor, inline_limit)


# --- Calendar days ------------------------------------------------------------------------------

def _affected_centers(session: Session, center_id: int | None) -> list[int]:
    return [center_id] if center_id is not None else centers_with_open_orders(session)


def add_calendar_day(session: Session, actor: User, *, center_id: int | None, day: date | None,
                     working: bool = False, name: str = "", inline_limit: int | None = None,
                     ) -> tuple[CalendarDay, Recompute]:
    """Mark a day off (a holiday) or a worked weekend day, for one center or (center None) the
    whole network; recomputes the open orders concerned."""
    require_admin(actor)
    errors: dict[str, str] = {}
    text = clean_text({"name": name}, "name", errors, 120)
    if center_id is not None and session.get(ServiceCenter, center_id) is None:
        errors["center_id"] = N_("Choose a service center")
    if not isinstance(day, date):
        errors["day"] = N_("Enter a date")
    elif working and day.weekday() < 5:
        errors["working"] = N_("Only a Saturday or a Sunday can be marked as a working day")
    elif session.scalar(select(CalendarDay.id).where(
            CalendarDay.day == day,
            CalendarDay.center_id.is_(None) if center_id is None else CalendarDay.center_id == center_id)):
        errors["day"] = N_("This day is already in the calendar")
    if errors:
        raise ValidationFailed(N_("The day was not added"), errors=errors)
    entry = CalendarDay(center_id=center_id, day=day, working=bool(working), name=text)
    session.add(entry)
    session.flush()
    return entry, _recompute(session, _affected_centers(session, center_id), actor, inline_limit)


def remove_calendar_day(session: Session, actor: User, entry: CalendarDay, *,
                        inline_limit: int | None = None) -> Recompute:
    """Take a day out of the calendar; recomputes the open orders concerned."""
    require_admin(actor)
    center_id = entry.center_id
    session.delete(entry)
    session.flush()
    return _recompute(session, _affected_centers(session, center_id), actor, inline_limit)


__all__ = ["INLINE_LIMIT", "Recompute", "add_calendar_day", "recompute_center", "remove_calendar_day", "save_rule"]
