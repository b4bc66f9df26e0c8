"""Which statements PostgreSQL may keep a plan for (issue 10). The hot views' lookups by key — the
scan, the order page, the intake — are prepared and keep a generic plan (planning the order page's
order with its customer, center, engineer and unit took 1.3 ms, running it 0.17 ms); everything
else, the team lead's lists and counts over a center above all, is planned for its values on every
run (a generic plan turned the engineers' counts from 5 to 22 ms on a 50,000-order backlog).

Read off `pg_prepared_statements` of the test's one connection, which every request shares."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from servicecenter.accounts.roles import Role
from servicecenter.clock import utcnow
from servicecenter.db import generic_plans
from servicecenter.repairs import queries
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.team import list_engineer_loads
from tests.factories import login

RUNS = 12  # psycopg prepares on the 5th run; PostgreSQL weighs a generic plan after 5 custom ones


@pytest.fixture(autouse=True)
def _postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("plans are PostgreSQL's")


def _prepared(session, table: str) -> list[tuple[str, int, int]]:  # noqa: ANN001
    """(statement, generic plans, custom plans) of the connection's prepared statements reading `table`."""
    rows = session.execute(text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")).all()
    return [(s, g, c) for s, g, c in rows if f"FROM {table}" in s]


@pytest.fixture
def center(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("MSK", timezone="Europe/Moscow")
    factory.user(msk, Role.ENGINEER, name="Петров Пётр")
    for state in (RepairState.DIAGNOSIS, RepairState.IN_REPAIR, RepairState.RECEIVED):
        factory.order(msk, state=state)
    session.flush()
    return msk


def test_a_center_list_is_planned_for_its_values_every_time(session, center) -> None:  # noqa: ANN001
    for _ in range(RUNS):
        loads = list_engineer_loads(session, center, utcnow())
    assert "Петров Пётр" in [load.engineer.name for load in loads]
    assert _prepared(session, "users") == []  # never prepared: no plan to keep


def test_a_lookup_by_key_keeps_its_plan_where_allowed(session, center) -> None:  # noqa: ANN001
    number = queries.list_orders(session, center_id=center.id).items[0].number
    with generic_plans():
        for _ in range(RUNS):
            assert queries.get_order_by_number(session, number).number == number
    [(_statement, generic, _custom)] = [p for p in _prepared(session, "repair_orders") if "number" in p[0]]
    assert generic >= RUNS - 10  # planned once for any number, not for each


def test_the_order_page_keeps_its_plans_and_the_queue_does_not(app, factory, session, center) -> None:  # noqa: ANN001
    clerk, lead = factory.staff(center, Role.INTAKE), factory.staff(center, Role.TEAM_LEAD)
    number = queries.list_orders(session, center_id=center.id).items[0].number
    counter, desk = app.test_client(), app.test_client()
    login(counter, clerk.email)
    for _ in range(RUNS):
        assert counter.get(f"/orders/{number}").status_code == 200
    assert any(g > 0 for s, g, _c in _prepared(session, "repair_orders") if "repair_orders.number =" in s)
    login(desk, lead.email)
    for _ in range(RUNS):
        assert desk.get("/team-lead/").status_code == 200
    queue = [s for s, _g, _c in _prepared(session, "repair_orders") if "repair_orders.center_id =" in s]
    assert queue == []  # the queue, its counts and the engineers' loads: planned for this center each time
