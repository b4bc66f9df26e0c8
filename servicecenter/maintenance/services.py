"""Plans and unit-card dates: create, edit, deactivate, with clear refusals. Services flush only."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import ProductModel
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import Customer, ServiceContract
from servicecenter.customers.services import normalise_phone
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound, PermissionDenied, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.maintenance.models import (
    DateKind,
    MaintenancePlan,
    PlanAction,
    PlanScope,
    Schedule,
    UnitDate,
)
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind

PLAN_ROLES = frozenset({Role.TEAM_LEAD, Role.ADMIN})
MAX_MONTHS, MAX_LEAD_DAYS = 120, 365
PLAN_FIELDS = ("name", "work", "scope", "unit_serial", "model_id", "owner_phone", "contract_number", "schedule",
               "every_months", "start_on", "date_kind", "lead_days", "action", "active")


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day when it has none."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_due_on_or_after(start: date, every_months: int, today: date) -> date:
    """The first occurrence of an every-N-months schedule that is not before `today`."""
    k, due = 0, start
    while due < today:
        k += 1
        due = add_months(start, k * every_months)
    return due


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _enum(cls: type, raw: Any, errors: dict[str, str], field: str) -> Any:
    try:
        return cls(raw)
    except ValueError:
        errors[field] = N_("Unknown value")
        return None


def _int(raw: Any, low: int, high: int, errors: dict[str, str], field: str) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        errors[field] = N_("Enter a whole number")
        return None
    if not low <= value <= high:
        errors[field] = N_("Out of the allowed range")
        return None
    return value


def _date(raw: Any, errors: dict[str, str], field: str) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        errors[field] = N_("Enter a date")
        return None


def _unit(session: Session, serial: str, errors: dict[str, str]) -> Unit | None:
    serial = "".join(str(serial or "").split()).upper()
    units = session.scalars(select(Unit).where(Unit.serial == serial).limit(2)).all() if serial else []
    if not units:
        errors["unit_serial"] = N_("No unit with this serial")
    elif len(units) > 1:
        errors["unit_serial"] = N_("Several brands have a unit with this serial; plan by model and owner")
    return units[0] if len(units) == 1 else None


def _clean(session: Session, values: dict[str, Any], today: date) -> dict[str, Any]:
    """The plan's columns from the form's values, or ValidationFailed naming every wrong field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {"name": _text(values.get("name"), 200), "work": _text(values.get("work"), 2000),
                             "active": bool(values.get("active")),
                             "unit_id": None, "model_id": None, "owner_id": None, "contract_id": None,
                             "every_months": None, "date_kind": None}
    if not clean["name"]:
        errors["name"] = N_("Required")
    scope = clean["scope"] = _enum(PlanScope, values.get("scope"), errors, "scope")
    schedule = clean["schedule"] = _enum(Schedule, values.get("schedule"), errors, "schedule")
    clean["action"] = _enum(PlanAction, values.get("action") or PlanAction.ORDER, errors, "action")
    clean["lead_days"] = _int(values.get("lead_days"), 0, MAX_LEAD_DAYS, errors, "lead_days")
    if scope == PlanScope.UNIT:
        unit = _unit(session, values.get("unit_serial") or "", errors)
        clean["unit_id"] = unit.id if unit else None
    elif scope == PlanScope.MODEL:
        model_id = values.get("model_id")
        model = session.get(ProductModel, parse_id(model_id)) if parse_id(model_id) else None
        if model is None:
            errors["model_id"] = N_("Choose a model")
        clean["model_id"] = model.id if model else None
        phone = str(values.get("owner_phone") or "").strip()
        if phone:
            owner = session.scalar(select(Customer).where(Customer.phone == normalise_phone(phone))
                                   .order_by(Customer.id).limit(1))
            if owner is None:
                errors["owner_phone"] = N_("No customer with this phone")
            clean["owner_id"] = owner.id if owner else None
    elif scope == PlanScope.CONTRACT:
        number = _text(values.get("contract_number"), 40)
        contract = session.scalar(select(ServiceContract).where(ServiceContract.number == number)) if number else None
        if contract is None:
            errors["contract_number"] = N_("No service contract with this number")
        clean["contract_id"] = contract.id if contract else None
    if schedule == Schedule.EVERY_MONTHS:
        clean["every_months"] = _int(values.get("every_months"), 1, MAX_MONTHS, errors, "every_months")
        clean["start_on"] = _date(values.get("start_on"), errors, "start_on")
    elif schedule == Schedule.BEFORE_DATE:
        clean["date_kind"] = _enum(DateKind, values.get("date_kind"), errors, "date_kind")
        # Card dates before the plan's start are old news (an expiry nobody renewed), not work to do.
        clean["start_on"] = _date(values.get("start_on"), errors, "start_on") if values.get("start_on") else today
    if errors:
        raise ValidationFailed(N_("The maintenance plan was not saved"), errors=errors)
    return clean


def _check_actor(actor: User) -> None:
    if actor.role not in PLAN_ROLES:
        raise PermissionDenied(N_("Only a team lead or an administrator manages maintenance plans"))


def _next_due(clean: dict[str, Any], today: date) -> date | None:
    if clean["schedule"] == Schedule.EVERY_MONTHS:
        return first_due_on_or_after(clean["start_on"], clean["every_months"], today)
    return None  # before_date: set by the periodic job from the units' cards


def create_plan(session: Session, actor: User, **values: Any) -> MaintenancePlan:
    """Add a plan to the actor's own center; its first occurrence is the first due date from today on."""
    _check_actor(actor)
    today = local_date(utcnow(), actor.center.timezone)
    clean = _clean(session, values, today)
    plan = MaintenancePlan(center_id=actor.center_id, created_by_id=actor.id, next_due_on=_next_due(clean, today),
                           **clean)
    session.add(plan)
    session.flush()
    return plan


def update_plan(session: Session, actor: User, plan: MaintenancePlan, **values: Any) -> MaintenancePlan:
    """Change a plan of the actor's center; a changed schedule restarts from its first date from today on."""
    _check_actor(actor)
    if plan.center_id != actor.center_id:
        raise NotFound(N_("No such maintenance plan"))
    today = local_date(utcnow(), actor.center.timezone)
    clean = _clean(session, values, today)
    moved = any(clean[k] != getattr(plan, k) for k in ("schedule", "every_months", "start_on", "scope", "unit_id",
                                                        "model_id", "owner_id", "contract_id", "date_kind"))
    for key, value in clean.items():
        setattr(plan, key, value)
    if moved or plan.next_due_on is None:
        plan.next_due_on = _next_due(clean, today)
    session.flush()
    return plan


def deactivate_plan(session: Session, actor: User, plan: MaintenancePlan) -> MaintenancePlan:
    """Stop a plan: nothing more is made from it (what it made stays)."""
    _check_actor(actor)
    if plan.center_id != actor.center_id:
        raise NotFound(N_("No such maintenance plan"))
    plan.active = False
    session.flush()
    return plan


def set_unit_date(session: Session, actor: User | None, unit: Unit, kind: DateKind | str, due_on: date,
                  note: str = "") -> UnitDate:
    """Keep a date on the unit's card (one per kind, e.g. when its licence ends); noted in its history."""
    try:
        kind = DateKind(kind)
    except ValueError:
        raise ValidationFailed(N_("The date was not saved"), errors={"date_kind": N_("Unknown value")}) from None
    row = session.scalar(select(UnitDate).where(UnitDate.unit_id == unit.id, UnitDate.kind == kind))
    before = row.due_on if row else None
    if row is None:
        row = UnitDate(unit_id=unit.id, kind=kind, due_on=due_on)
        session.add(row)
    row.due_on, row.note = due_on, _text(note, 200)
    record_event(session, actor=actor, kind=EventKind.FIELD, unit=unit, from_value=before, to_value=due_on,
                 field=f"date:{kind.value}")
    session.flush()
    return row


def record_unit_date(session: Session, actor: User, *, unit_serial: str, date_kind: str, due_on: Any,
                     note: str = "") -> UnitDate:
    """Keep a date on the card of the unit with this serial (the form's entry point)."""
    _check_actor(actor)
    errors: dict[str, str] = {}
    unit = _unit(session, unit_serial, errors)
    kind = _enum(DateKind, date_kind, errors, "date_kind")
    day = _date(due_on, errors, "due_on")
    if errors:
        raise ValidationFailed(N_("The date was not saved"), errors=errors)
    return set_unit_date(session, actor, unit, kind, day, note)
