"""Planned maintenance: plans make each occurrence once, inside the lead window and not before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import ContractKind, ServiceContract
from servicecenter.db import Database
from servicecenter.errors import PermissionDenied, ValidationFailed
from servicecenter.jobs.ticker import run_due_periodic
from servicecenter.maintenance import services
from servicecenter.maintenance.jobs import JOB, run_maintenance
from servicecenter.maintenance.models import DateKind, MaintenanceOccurrence, MaintenancePlan, PlanAction
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.states import RepairState
from tests.factories import Factory


@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("MNT", timezone="Europe/Moscow")
    lead = factory.staff(msk, Role.TEAM_LEAD)
    model = factory.model(factory.manufacturer("Атол"), category="Онлайн-кассы", name="Атол 30Ф")
    owner = factory.customer("ООО Ромашка")
    unit = factory.unit(model, serial="KKT0001", owner=owner)
    today = local_date(utcnow(), msk.timezone)
    return {"center": msk, "lead": lead, "model": model, "owner": owner, "unit": unit, "today": today,
            "session": session}


def _orders(session, unit) -> list[RepairOrder]:  # noqa: ANN001
    return list(session.scalars(select(RepairOrder).where(RepairOrder.unit_id == unit.id).order_by(RepairOrder.id)))


def _plan(session, lead, **values) -> MaintenancePlan:  # noqa: ANN001, ANN003
    base = {"name": "ТО кассы", "work": "Плановое ТО: чистка, проверка ФН", "scope": "unit", "schedule": "every_months",
            "every_months": 3, "lead_days": 14, "action": "order", "active": True}
    return services.create_plan(session, lead, **{**base, **values})


def test_every_n_months_plan_registers_the_order_once_inside_the_lead_window(world) -> None:  # noqa: ANN001
    s, today, unit = world["session"], world["today"], world["unit"]
    start = today + timedelta(days=20)
    plan = _plan(s, world["lead"], unit_serial="kkt 0001", start_on=start.isoformat())
    assert plan.next_due_on == start

    assert run_maintenance(s, today=today) == 0
    assert run_maintenance(s, today=start - timedelta(days=15)) == 0  # one day before the window
    assert _orders(s, unit) == []

    assert run_maintenance(s, today=start - timedelta(days=14)) == 1
    assert run_maintenance(s, today=start - timedelta(days=14)) == 0  # run twice: still one order
    orders = _orders(s, unit)
    assert len(orders) == 1
    order = orders[0]
    assert order.state == RepairState.REGISTERED and order.center_id == world["center"].id
    assert order.customer_id == world["owner"].id and order.fault == "Плановое ТО: чистка, проверка ФН"
    history = s.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id)).all()
    assert {e.kind for e in history} == {EventKind.CREATED, EventKind.COMMENT}
    assert all(e.actor_id is None for e in history)  # made by the system
    assert any(e.details.get("params", {}).get("due") == start.isoformat() for e in history)
    assert plan.next_due_on == services.add_months(start, 3)
    occurrence = s.scalar(select(MaintenanceOccurrence).where(MaintenanceOccurrence.plan_id == plan.id))
    assert occurrence.order_id == order.id and occurrence.due_on == start

    # the next quarter comes in its own window
    assert run_maintenance(s, today=services.add_months(start, 3) - timedelta(days=15)) == 0
    assert run_maintenance(s, today=services.add_months(start, 3) - timedelta(days=1)) == 1
    assert len(_orders(s, unit)) == 2


def test_month_ends_stay_month_ends() -> None:
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert services.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert services.first_due_on_or_after(date(2025, 1, 10), 6, date(2026, 3, 1)) == date(2026, 7, 10)


def test_before_date_plan_fires_lead_days_before_the_licence_ends(world) -> None:  # noqa: ANN001
    s, today, unit = world["session"], world["today"], world["unit"]
    ends = today + timedelta(days=40)
    services.set_unit_date(s, world["lead"], unit, DateKind.LICENCE, ends, note="Kaspersky Endpoint")
    plan = _plan(s, world["lead"], name="Продление лицензии", work="", unit_serial="KKT0001",
                 schedule="before_date", date_kind="licence", lead_days=30)

    assert run_maintenance(s, today=today) == 0
    assert plan.next_due_on == ends  # shown ahead
    assert run_maintenance(s, today=ends - timedelta(days=31)) == 0
    assert run_maintenance(s, today=ends - timedelta(days=30)) == 1
    assert run_maintenance(s, today=ends - timedelta(days=29)) == 0
    (order,) = _orders(s, unit)
    assert order.fault == "Продление лицензии" and order.state == RepairState.REGISTERED
    assert plan.next_due_on is None

    # renewed for a year: the next order comes 30 days before the new date, not now
    renewed = ends + timedelta(days=365)
    services.set_unit_date(s, world["lead"], unit, DateKind.LICENCE, renewed)
    assert run_maintenance(s, today=ends) == 0
    assert run_maintenance(s, today=renewed - timedelta(days=30)) == 1
    assert len(_orders(s, unit)) == 2


def test_contract_plan_covers_the_contracts_units_while_it_runs(world, factory) -> None:  # noqa: ANN001
    s, today = world["session"], world["today"]
    contract = ServiceContract(number="ТО-2026/7", customer_id=world["owner"].id, kind=ContractKind.MAINTENANCE,
                               valid_from=today - timedelta(days=10), valid_to=today + timedelta(days=100))
    s.add(contract)
    s.flush()
    covered = [factory.unit(world["model"], owner=world["owner"]) for _ in range(2)]
    for u in covered:
        u.contract_id = contract.id
    outside = factory.unit(world["model"], owner=world["owner"])
    s.flush()
    start = today + timedelta(days=5)
    plan = _plan(s, world["lead"], scope="contract", contract_number="ТО-2026/7", start_on=start, every_months=2,
                 action="reminder", lead_days=7)

    assert run_maintenance(s, today=today) == 2
    made = s.scalars(select(MaintenanceOccurrence).where(MaintenanceOccurrence.plan_id == plan.id)).all()
    assert {m.unit_id for m in made} == {u.id for u in covered}
    assert all(m.action == PlanAction.REMINDER and m.order_id is None for m in made)
    assert outside.id not in {m.unit_id for m in made}
    assert _orders(s, covered[0]) == []  # a reminder registers no order...
    reminder = s.scalar(select(RepairEvent).where(RepairEvent.unit_id == covered[0].id,
                                                  RepairEvent.kind == EventKind.COMMENT))
    assert reminder is not None and reminder.order_id is None  # ...it is noted in the unit's history

    # two months on the contract still runs; four months on it has ended: nothing more
    assert run_maintenance(s, today=services.add_months(start, 2)) == 2
    assert run_maintenance(s, today=services.add_months(start, 4)) == 0


def test_model_plan_of_one_owner_and_a_unit_without_owner(world, factory) -> None:  # noqa: ANN001
    s, today = world["session"], world["today"]
    other_owner = factory.customer("ИП Васильев")
    theirs = factory.unit(world["model"], owner=other_owner)
    plan = _plan(s, world["lead"], scope="model", model_id=str(world["model"].id), owner_phone=world["owner"].phone,
                 start_on=today + timedelta(days=3))
    assert run_maintenance(s, today=today) == 1
    assert len(_orders(s, world["unit"])) == 1 and _orders(s, theirs) == []

    plan.owner_id = None  # every unit of the model, one of them without an owner
    ownerless = factory.unit(world["model"])
    s.flush()
    run_maintenance(s, today=services.add_months(plan.start_on, 3))
    kept = s.scalar(select(MaintenanceOccurrence).where(MaintenanceOccurrence.unit_id == ownerless.id))
    assert kept.action == PlanAction.REMINDER and kept.order_id is None and kept.note
    assert _orders(s, ownerless) == []


def test_bad_input_gives_messages_and_saves_nothing(world) -> None:  # noqa: ANN001
    s = world["session"]
    with pytest.raises(ValidationFailed) as refused:
        _plan(s, world["lead"], name="  ", unit_serial="NOPE", every_months="0", start_on="31.02.2026",
              lead_days="-1")
    assert set(refused.value.errors) == {"name", "unit_serial", "every_months", "start_on", "lead_days"}
    with pytest.raises(ValidationFailed) as refused:
        _plan(s, world["lead"], scope="contract", contract_number="НЕТ", schedule="before_date", date_kind="??")
    assert set(refused.value.errors) == {"contract_number", "date_kind"}
    with pytest.raises(ValidationFailed) as refused:
        _plan(s, world["lead"], scope="model", model_id="", owner_phone="+70000000000", start_on="2026-01-01")
    assert set(refused.value.errors) == {"model_id", "owner_phone"}
    assert s.scalar(select(func.count()).select_from(MaintenancePlan)) == 0


def test_only_a_team_lead_or_admin_manages_plans(world, factory) -> None:  # noqa: ANN001
    engineer = factory.staff(world["center"], Role.ENGINEER)
    with pytest.raises(PermissionDenied):
        _plan(world["session"], engineer, unit_serial="KKT0001", start_on=world["today"])


def test_the_periodic_runner_twice_makes_one_order(committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("MNP")
        lead = f.staff(center, Role.TEAM_LEAD)
        unit = f.unit(f.model(), owner=f.customer())
        today = local_date(utcnow(), center.timezone)
        _plan(s, lead, unit_serial=unit.serial, start_on=today + timedelta(days=2))
        unit_id = unit.id
    now = utcnow()
    assert run_due_periodic(committed_database, now=now, names=[JOB]) == [JOB]
    assert run_due_periodic(committed_database, now=now + timedelta(hours=2), names=[JOB]) == [JOB]
    with committed_database.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(RepairOrder).where(RepairOrder.unit_id == unit_id)) == 1
        assert s.scalar(select(func.count()).select_from(MaintenanceOccurrence)) == 1
