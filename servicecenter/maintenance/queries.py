"""What the team lead sees: the plans of a center, and the maintenance ahead (made or still to come)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from servicecenter.equipment.models import Unit
from servicecenter.maintenance.jobs import _covered, units_of
from servicecenter.maintenance.models import (
    MaintenanceOccurrence,
    MaintenancePlan,
    PlanAction,
    Schedule,
    UnitDate,
)
from servicecenter.maintenance.services import add_months
from servicecenter.repairs.models import RepairOrder

AHEAD_DAYS = 30
MAX_ROWS = 300


@dataclass(frozen=True)
class Ahead:
    """One unit's maintenance on one date: made already (order or reminder) or still to come."""

    due_on: date
    plan: MaintenancePlan
    unit: Unit
    action: PlanAction
    order: RepairOrder | None = None
    made: bool = False
    note: str = ""


def list_plans(session: Session, center_id: int) -> list[MaintenancePlan]:
    """The center's plans, active first."""
    return list(session.scalars(select(MaintenancePlan).where(MaintenancePlan.center_id == center_id)
                                .order_by(MaintenancePlan.active.desc(), MaintenancePlan.name, MaintenancePlan.id)))


def get_plan(session: Session, center_id: int, plan_id: int) -> MaintenancePlan | None:
    """A plan of this center, or None (another center's plan does not exist for it)."""
    return session.scalar(select(MaintenancePlan).where(MaintenancePlan.id == plan_id,
                                                        MaintenancePlan.center_id == center_id))


def _to_come(session: Session, plan: MaintenancePlan, today: date, until: date) -> list[tuple[date, Unit]]:
    if plan.schedule == Schedule.EVERY_MONTHS:
        dates, k, due = [], 0, plan.start_on
        while plan.next_due_on is not None and due <= until:  # counted from the start, as the job does
            if due >= plan.next_due_on and _covered(plan, due):
                dates.append(due)
            k += 1
            due = add_months(plan.start_on, k * (plan.every_months or 1))
        return [(d, u) for d in dates for u in units_of(session, plan)]
    units = {u.id: u for u in units_of(session, plan)}
    rows = session.scalars(select(UnitDate).where(UnitDate.kind == plan.date_kind, UnitDate.unit_id.in_(units),
                                                  UnitDate.due_on >= max(plan.start_on, today),
                                                  UnitDate.due_on <= until)).all() if units else []
    return [(r.due_on, units[r.unit_id]) for r in rows if _covered(plan, r.due_on)]


def list_ahead(session: Session, center_id: int, today: date, days: int = AHEAD_DAYS) -> list[Ahead]:
    """The next `days` days of a center's maintenance by due date: what the job made (with its order
    or reminder) and what its active plans will make."""
    until = today + timedelta(days=days)
    made = session.scalars(
        select(MaintenanceOccurrence).join(MaintenancePlan)
        .where(MaintenancePlan.center_id == center_id, MaintenanceOccurrence.due_on >= today,
               MaintenanceOccurrence.due_on <= until)
        .options(selectinload(MaintenanceOccurrence.order), selectinload(MaintenanceOccurrence.unit))
        .order_by(MaintenanceOccurrence.due_on).limit(MAX_ROWS)).all()
    rows = [Ahead(o.due_on, o.plan, o.unit, o.action, o.order, True, o.note) for o in made]
    seen = {(o.plan_id, o.unit_id, o.due_on) for o in made}
    for plan in session.scalars(select(MaintenancePlan).where(MaintenancePlan.center_id == center_id,
                                                              MaintenancePlan.active.is_(True))):
        for due_on, unit in _to_come(session, plan, today, until):
            if (plan.id, unit.id, due_on) not in seen and len(rows) < MAX_ROWS:
                rows.append(Ahead(due_on, plan, unit, plan.action))
    return sorted(rows, key=lambda r: (r.due_on, r.unit.serial))
