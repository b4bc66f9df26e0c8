"""Which statements PostgreSQL may keep a plan for (issue 10). The hot views' lookups by key — the
scan, the order page, the intake — run on connections where it may keep a generic plan (planning
the order page's order with its customer, center, engineer and unit took 1.3 ms, running it
0.17 ms); everywhere else, the team lead's lists and counts over a center above all, every
execution is planned for its values (a generic plan turned the engineers' counts from 5 to 22 ms on
a 50,000-order backlog). Read off `pg_prepared_statements` of the connections that ran them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from servicecenter.accounts.roles import Role
from servicecenter.app import create_app
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.db import Database, generic_plans
from servicecenter.repairs import queries
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.team import list_engineer_loads
from tests.conftest import make_settings
from tests.factories import Factory, login

RUNS = 12  # psycopg prepares on the 5th run; PostgreSQL weighs a generic plan after 5 custom ones


@pytest.fixture(autouse=True)
def _postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("plans are PostgreSQL's")


def _plans(session: Session, table: str, where: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of the session connection's prepared statements on `table` whose
    text has `where` (the connection a pooled session gets is the one the last request returned)."""
    rows = session.execute(text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")).all()
    return [(g, c) for s, g, c in rows if f"FROM {table}" in s and where in s]


@pytest.fixture
def network(committed_database: Database) -> Iterator[dict[str, object]]:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        msk = f.center("MSK", timezone="Europe/Moscow")
        f.user(msk, Role.ENGINEER, name="Петров Пётр")
        orders = [f.order(msk, state=state) for state in (RepairState.DIAGNOSIS, RepairState.IN_REPAIR)]
        people = {"clerk": f.staff(msk, Role.INTAKE).email, "lead": f.staff(msk, Role.TEAM_LEAD).email}
        found = {"center_id": msk.id, "number": orders[0].number, **people}
    yield found


@pytest.fixture
def fresh(database_url: str) -> Iterator[Database]:
    """A Database of the test's own: its pools start empty, so one request after another reuses
    one connection of each, whose prepared statements tell what happened."""
    database = Database(database_url, principal_ttl=0)
    yield database
    database.dispose()


def test_a_center_list_is_planned_for_its_values_every_time(fresh: Database, network) -> None:  # noqa: ANN001
    with fresh.session() as s:
        center = s.get(ServiceCenter, network["center_id"])
        for _ in range(RUNS):
            loads = list_engineer_loads(s, center, utcnow())
        assert "Петров Пётр" in [load.engineer.name for load in loads]
        plans = _plans(s, "users", "users.center_id =")
    assert plans and all(generic == 0 and custom >= RUNS - 5 for generic, custom in plans)


def test_a_lookup_by_key_keeps_its_plan_where_allowed(fresh: Database, network) -> None:  # noqa: ANN001
    with generic_plans(), fresh.reading_session() as s:
        for _ in range(RUNS):
            assert queries.get_order_by_number(s, network["number"]).number == network["number"]
        [(generic, _custom)] = _plans(s, "repair_orders", "repair_orders.number =")
    assert generic >= RUNS - 10  # planned once for any number, not for each
    with fresh.reading_session() as s:  # outside the block: a plan per execution
        for _ in range(RUNS):
            queries.get_order_by_number(s, network["number"])
        [(generic, _custom)] = _plans(s, "repair_orders", "repair_orders.number =")
    assert generic == 0


def test_the_order_page_keeps_its_plans_and_the_queue_does_not(fresh: Database, network,  # noqa: ANN001
                                                                database_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(database_url, tmp_path), database=fresh)
    counter, desk = app.test_client(), app.test_client()
    login(counter, network["clerk"])
    for _ in range(RUNS):
        assert counter.get(f"/orders/{network['number']}").status_code == 200
    with generic_plans(), fresh.reading_session() as s:
        assert any(g > 0 for g, _c in _plans(s, "repair_orders", "repair_orders.number ="))
    login(desk, network["lead"])
    for _ in range(RUNS):
        assert desk.get("/team-lead/").status_code == 200
    with fresh.reading_session() as s:
        queue = _plans(s, "repair_orders", "repair_orders.center_id =")
    assert queue and all(g == 0 for g, _c in queue)  # the queue, its counts: planned for this center each time
