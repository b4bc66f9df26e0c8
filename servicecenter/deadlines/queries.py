"""Deadline conditions for lists (overdue, at risk) and the administrator's lists of rules and days."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, selectinload

from servicecenter.deadlines.models import CalendarDay, DeadlineRule
from servicecenter.repairs.models import RepairOrder


def overdue(now: datetime) -> ColumnElement[bool]:
    """Orders past the due date that binds them now (served by ix_repair_orders_center_id_due_at)."""
    return RepairOrder.due_at < now


def at_risk(now: datetime) -> ColumnElement[bool]:
    """Orders inside their margin: not overdue yet, but at or past risk_at."""
    return and_(RepairOrder.risk_at <= now, RepairOrder.due_at >= now)


def list_rules(session: Session, center_id: int | None = None) -> list[DeadlineRule]:
    """Rules of one center (or all), general rules first, then manufacturer and contract overrides."""
    stmt = (select(DeadlineRule)
            .options(selectinload(DeadlineRule.center), selectinload(DeadlineRule.manufacturer),
                     selectinload(DeadlineRule.contract))
            .order_by(DeadlineRule.center_id, DeadlineRule.contract_id.is_not(None),
                      DeadlineRule.manufacturer_id.is_not(None), DeadlineRule.applies_to, DeadlineRule.id))
    if center_id is not None:
        stmt = stmt.where(DeadlineRule.center_id == center_id)
    return list(session.scalars(stmt))


def list_calendar_days(session: Session, center_id: int | None, year: int | None = None) -> list[CalendarDay]:
    """The days of the network's calendar (center None) or of one center, in date order."""
    stmt = select(CalendarDay).where(
        CalendarDay.center_id.is_(None) if center_id is None else CalendarDay.center_id == center_id)
    if year is not None:
        stmt = stmt.where(CalendarDay.day >= datetime(year, 1, 1).date(), CalendarDay.day <= datetime(year, 12, 31).date())
    return list(session.scalars(stmt.order_by(CalendarDay.day)))
