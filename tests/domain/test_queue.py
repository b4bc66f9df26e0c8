"""The team lead's queue: each filter and sort against a hand-built set, and the board's counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.repairs.models import Priority
from servicecenter.repairs.queue import (
    BoardCounts,
    Deadline,
    Payment,
    QueueFilter,
    Sort,
    count_board,
    end_of_local_day,
    list_queue,
)
from servicecenter.repairs.states import RepairState

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
TZ = "Europe/Moscow"


@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("MSK", timezone=TZ)
    bosch, lg = factory.manufacturer("Bosch"), factory.manufacturer("LG")
    washer = factory.model(bosch, category="Стиральные машины")
    fridge = factory.model(lg, category="Холодильники")
    lg_washer = factory.model(lg, category="Стиральные машины")
    eng = factory.user(msk, Role.ENGINEER, name="Петров")

    def make(name, state, model, *, due=None, risk=None, received_days=1, warranty=None,  # noqa: ANN001, ANN202
             engineer=None, priority=Priority.NORMAL):
        order = factory.order(msk, state=state, unit=factory.unit(model), priority=priority)
        order.due_at, order.risk_at = due, risk
        order.received_at = order.created_at = NOW - timedelta(days=received_days, hours=1)
        order.warranty_covered = warranty
        order.engineer_id = engineer.id if engineer else None
        session.flush()
        return name, order

    orders = dict([
        make("received", RepairState.RECEIVED, washer, due=NOW + timedelta(days=3), received_days=10, warranty=True),
        make("overdue", RepairState.DIAGNOSIS, fridge, due=NOW - timedelta(hours=1),
             risk=NOW - timedelta(days=1), received_days=5, engineer=eng, warranty=False),
        make("parts", RepairState.AWAITING_PARTS, washer, received_days=2, priority=Priority.URGENT),
        make("at_risk", RepairState.IN_REPAIR, lg_washer, due=NOW + timedelta(hours=2),
             risk=NOW - timedelta(hours=1), received_days=0, engineer=eng, priority=Priority.HIGH),
        make("approval", RepairState.AWAITING_APPROVAL, fridge, due=NOW + timedelta(days=1),
             risk=NOW + timedelta(hours=12), received_days=3, warranty=True),
    ])
    issued = factory.order(msk, state=RepairState.ISSUED)
    issued.due_at = NOW - timedelta(days=30)
    foreign = factory.order(factory.center("SPB"), state=RepairState.RECEIVED)
    foreign.due_at = NOW - timedelta(days=2)
    session.flush()
    return {"session": session, "center": msk, "orders": orders, "eng": eng, "bosch": bosch, "lg": lg}


def names(world, flt: QueueFilter) -> list[str]:  # noqa: ANN001
    by_id = {o.id: n for n, o in world["orders"].items()}
    page = list_queue(world["session"], world["center"].id, flt, NOW, TZ)
    return [by_id.get(o.id, f"stranger:{o.number}") for o in page.items]


def test_default_queue_is_open_orders_of_the_center_by_due_date_nulls_last(world) -> None:  # noqa: ANN001
    assert names(world, QueueFilter()) == ["overdue", "at_risk", "approval", "received", "parts"]


def test_filter_by_state(world) -> None:  # noqa: ANN001
    flt = QueueFilter(states=(RepairState.AWAITING_PARTS, RepairState.RECEIVED))
    assert names(world, flt) == ["received", "parts"]
    assert names(world, QueueFilter(states=(RepairState.ISSUED,))) != []  # closed orders on request


def test_filter_by_engineer_and_unassigned(world) -> None:  # noqa: ANN001
    assert names(world, QueueFilter(engineer_id=world["eng"].id)) == ["overdue", "at_risk"]
    assert names(world, QueueFilter(unassigned=True)) == ["approval", "received", "parts"]


def test_filter_by_brand_and_category(world) -> None:  # noqa: ANN001
    assert names(world, QueueFilter(manufacturer_id=world["bosch"].id)) == ["received", "parts"]
    assert names(world, QueueFilter(category="Стиральные машины")) == ["at_risk", "received", "parts"]
    assert names(world, QueueFilter(manufacturer_id=world["lg"].id, category="Стиральные машины")) == ["at_risk"]


def test_filter_by_warranty_or_paid(world) -> None:  # noqa: ANN001
    assert names(world, QueueFilter(payment=Payment.WARRANTY)) == ["approval", "received"]
    # Paid: declined by the counter, or not decided yet (the customer pays unless decided otherwise).
    assert names(world, QueueFilter(payment=Payment.PAID)) == ["overdue", "at_risk", "parts"]


def test_filter_by_deadline(world) -> None:  # noqa: ANN001
    assert names(world, QueueFilter(deadline=Deadline.OVERDUE)) == ["overdue"]
    assert names(world, QueueFilter(deadline=Deadline.AT_RISK)) == ["at_risk"]
    assert names(world, QueueFilter(deadline=Deadline.DUE_TODAY)) == ["at_risk"]  # 14:00 today in Moscow


def test_filter_by_age_in_days_since_received(world) -> None:  # noqa: ANN001
    assert names(world, QueueFilter(age_min=5)) == ["overdue", "received"]
    assert names(world, QueueFilter(age_max=2)) == ["at_risk", "parts"]
    assert names(world, QueueFilter(age_min=2, age_max=3)) == ["approval", "parts"]


def test_sort_by_age_and_by_priority(world) -> None:  # noqa: ANN001
    assert names(world, QueueFilter(sort=Sort.AGE)) == ["received", "overdue", "approval", "parts", "at_risk"]
    assert names(world, QueueFilter(sort=Sort.PRIORITY)) == ["parts", "at_risk", "overdue", "approval", "received"]


def test_due_today_ends_at_local_midnight() -> None:
    assert end_of_local_day(NOW, TZ) == datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
    assert end_of_local_day(NOW, "Asia/Vladivostok") == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_board_counts(world) -> None:  # noqa: ANN001
    counts = count_board(world["session"], world["center"].id, NOW, TZ)
    assert counts == BoardCounts(overdue=1, due_today=1, at_risk=1, awaiting_parts=1, awaiting_approval=1)


def test_queue_pages_with_a_capped_count(world) -> None:  # noqa: ANN001
    page = list_queue(world["session"], world["center"].id, QueueFilter(), NOW, TZ, page=2, per_page=2)
    assert page.total == 5 and page.pages == 3 and len(page.items) == 2
