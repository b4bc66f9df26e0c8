"""The periodic job: for every active plan, make each occurrence that has come within its lead
time — a pre-registered order or a reminder — exactly once, and move the plan's next due date.

System actor: `create_order` wants a User whose role may pre-register visits. The schedule is
nobody in particular, so orders are made by an unsaved `User` acting as the call center does when
it registers a visit by phone (Role.CALL_CENTER, the network role allowed to pre-register; never
added to the session). It has no id, so the history shows the events as "system" (actor_id NULL),
the convention the app already uses for events no person made (a customer's rating, the deadline
recompute job).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import Customer, ServiceContract
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_
from servicecenter.jobs.periodic import register_periodic
from servicecenter.jobs.registry import job
from servicecenter.maintenance.models import (
    MaintenanceOccurrence,
    MaintenancePlan,
    PlanAction,
    PlanScope,
    Schedule,
    UnitDate,
)
from servicecenter.maintenance.services import add_months
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind
from servicecenter.repairs.services import create_order

JOB = "maintenance.plan"
EVERY_SECONDS = 3600
MAX_PER_PLAN_RUN = 24  # occurrences of one every-N-months plan caught up per run (a long outage)
NO_OWNER = N_("the unit has no owner to register an order for")


def system_actor() -> User:
    """Who creates scheduled orders: nobody in person (see the module's docstring)."""
    return User(id=None, name="system", role=Role.CALL_CENTER, active=False)


def units_of(session: Session, plan: MaintenancePlan) -> list[Unit]:
    """The units a plan covers now (a unit replaced by another is no longer maintained)."""
    query = select(Unit).where(Unit.replaced_by_id.is_(None)).order_by(Unit.id)
    if plan.scope == PlanScope.UNIT:
        query = query.where(Unit.id == plan.unit_id)
    elif plan.scope == PlanScope.MODEL:
        query = query.where(Unit.model_id == plan.model_id)
        if plan.owner_id is not None:
            query = query.where(Unit.owner_id == plan.owner_id)
    else:
        query = query.where(Unit.contract_id == plan.contract_id)
    return list(session.scalars(query))


def _covered(plan: MaintenancePlan, due_on: date) -> bool:
    """A contract plan makes work only for dates the contract runs on."""
    contract: ServiceContract | None = plan.contract
    return contract is None or contract.covers(due_on)


def _customer(session: Session, plan: MaintenancePlan, unit: Unit) -> Customer | None:
    if unit.owner_id is not None:
        return session.get(Customer, unit.owner_id)
    return plan.contract.customer if plan.contract is not None else None


def make_occurrence(session: Session, plan: MaintenancePlan, unit: Unit, due_on: date) -> MaintenanceOccurrence | None:
    """Make one occurrence (order or reminder) unless it exists; None when it already did."""
    done = select(MaintenanceOccurrence.id).where(MaintenanceOccurrence.plan_id == plan.id,
                                                 MaintenanceOccurrence.unit_id == unit.id,
                                                 MaintenanceOccurrence.due_on == due_on)
    if session.scalar(done) is not None:
        return None
    occurrence = MaintenanceOccurrence(plan_id=plan.id, unit_id=unit.id, due_on=due_on, action=plan.action)
    try:
        with session.begin_nested():  # the UNIQUE row decides if another run got here first
            session.add(occurrence)
            session.flush()
    except IntegrityError:
        return None
    customer = _customer(session, plan, unit) if plan.action == PlanAction.ORDER else None
    params = {"plan": plan.name, "due": due_on.isoformat()}
    if plan.action == PlanAction.ORDER and customer is not None:
        order = create_order(session, system_actor(), center=plan.center, customer=customer, unit=unit,
                             fault=plan.work or plan.name, pre_register=True)
        occurrence.order_id = order.id
        record_event(session, actor=None, kind=EventKind.COMMENT, order=order,
                     message=N_("Planned maintenance \u201c%(plan)s\u201d due %(due)s"), params=params)
    else:
        if plan.action == PlanAction.ORDER:
            occurrence.action, occurrence.note = PlanAction.REMINDER, NO_OWNER
        record_event(session, actor=None, kind=EventKind.COMMENT, unit=unit,
                     message=N_("Reminder: planned maintenance \u201c%(plan)s\u201d due %(due)s"), params=params)
    session.flush()
    return occurrence


def _run_every_months(session: Session, plan: MaintenancePlan, today: date) -> int:
    made, runs = 0, 0
    assert plan.every_months and plan.next_due_on is not None
    while plan.next_due_on - timedelta(days=plan.lead_days) <= today and runs < MAX_PER_PLAN_RUN:
        due_on = plan.next_due_on
        if _covered(plan, due_on):
            made += sum(make_occurrence(session, plan, unit, due_on) is not None for unit in units_of(session, plan))
        # the next date counts from the start, so the 31st stays the month's end, not drifting to the 28th
        k = 1
        while add_months(plan.start_on, k * plan.every_months) <= due_on:
            k += 1
        plan.next_due_on = add_months(plan.start_on, k * plan.every_months)
        runs += 1
    return made


def _run_before_date(session: Session, plan: MaintenancePlan, today: date) -> int:
    made, upcoming = 0, []
    units = {u.id: u for u in units_of(session, plan)}
    if not units:
        plan.next_due_on = None
        return 0
    made_already = exists().where(MaintenanceOccurrence.plan_id == plan.id,
                                  MaintenanceOccurrence.unit_id == UnitDate.unit_id,
                                  MaintenanceOccurrence.due_on == UnitDate.due_on)
    rows = session.scalars(select(UnitDate).where(UnitDate.kind == plan.date_kind, UnitDate.unit_id.in_(units),
                                                  UnitDate.due_on >= plan.start_on, ~made_already)
                           .order_by(UnitDate.due_on, UnitDate.unit_id)).all()
    for row in rows:
        if row.due_on - timedelta(days=plan.lead_days) <= today:
            if _covered(plan, row.due_on):
                made += make_occurrence(session, plan, units[row.unit_id], row.due_on) is not None
        else:
            upcoming.append(row.due_on)
    plan.next_due_on = min(upcoming) if upcoming else None
    return made


def run_plan(session: Session, plan: MaintenancePlan, today: date) -> int:
    """Make what one plan owes as of `today` (the center's local date); returns how many were made."""
    if plan.schedule == Schedule.EVERY_MONTHS:
        return _run_every_months(session, plan, today)
    return _run_before_date(session, plan, today)


@job(JOB)
def run_maintenance(session: Session, today: date | None = None) -> int:
    """Make every due occurrence of every active plan, once; safe to run any number of times."""
    made = 0
    plans = session.scalars(select(MaintenancePlan).where(MaintenancePlan.active.is_(True))
                            .order_by(MaintenancePlan.id)).all()
    for plan in plans:
        made += run_plan(session, plan, today or local_date(utcnow(), plan.center.timezone))
    session.flush()
    return made


register_periodic(JOB, EVERY_SECONDS)
