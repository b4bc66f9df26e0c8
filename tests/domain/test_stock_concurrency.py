"""Two clerks racing for the last part on PostgreSQL: one wins, the other is told, stock never negative."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location
from servicecenter.errors import ValidationFailed
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal, services, warehouse
from servicecenter.stock.models import MoveReason, Part
from tests.factories import Factory


def _race(database, work) -> dict[str, str]:  # noqa: ANN001
    barrier, results = threading.Barrier(2), {}

    def run(name: str) -> None:
        session = database.session()
        try:
            barrier.wait(timeout=30)
            work(session, name)
            session.commit()
            results[name] = "won"
        except ValidationFailed as exc:
            session.rollback()
            results[name] = str(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def pg(committed_database):  # noqa: ANN001, ANN201
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two open write transactions cannot exist")
    return committed_database


def test_two_moves_of_the_last_part_one_wins(pg) -> None:  # noqa: ANN001
    with pg.unit_of_work() as s:
        center = Factory(s).center("CCA")
        part = Part(sku="LAST-1", name="Последняя")
        s.add(part)
        s.flush()
        journal.move_parts(s, None, part, 1, source=None, target=center.locations[0], reason=MoveReason.RECEIPT)
        part_id, location_id = part.id, center.locations[0].id

    def take(session, _name: str) -> None:  # noqa: ANN001
        journal.move_parts(session, None, session.get(Part, part_id), 1, source=session.get(Location, location_id),
                           target=None, reason=MoveReason.ISSUE)

    results = _race(pg, take)
    assert sorted(results.values())[1] == "won" and "Only 0 of LAST-1" in sorted(results.values())[0]
    with pg.unit_of_work() as s:
        assert journal.on_hand(s, location_id, part_id) == 0
        assert journal.check_stock(s) == []


def test_two_orders_filled_and_issued_from_the_last_part_one_wins(pg) -> None:  # noqa: ANN001
    with pg.unit_of_work() as s:
        f = Factory(s)
        center = f.center("CCB")
        part = Part(sku="LAST-2", name="Последняя")
        s.add(part)
        s.flush()
        engineer = f.staff(center, Role.ENGINEER)
        numbers = {}
        for name in ("a", "b"):
            order = f.order(center, state=RepairState.DIAGNOSIS)
            services.request_shortage(s, engineer, order, part, 1)
            numbers[name] = order.number
        journal.move_parts(s, None, part, 1, source=None, target=center.locations[0], reason=MoveReason.RECEIPT)
        clerk_id, part_id = f.staff(center, Role.WAREHOUSE).id, part.id

    def issue(session, name: str) -> None:  # noqa: ANN001
        order = session.scalars(select(RepairOrder).where(RepairOrder.number == numbers[name])).one()
        warehouse.issue_scanned(session, session.get(User, clerk_id), order, session.get(Part, part_id), 1)

    results = _race(pg, issue)
    assert sorted(results.values()).count("won") == 1, results
    assert any("Only 0 × LAST-2 free" in r for r in results.values())
    with pg.unit_of_work() as s:
        assert journal.check_stock(s) == []


def test_two_clerks_confirming_one_count_adjust_once(pg) -> None:  # noqa: ANN001
    from servicecenter.errors import StateConflict
    from servicecenter.stock import counts
    from servicecenter.stock.count_models import InventoryCount
    from servicecenter.stock.identify import identify

    with pg.unit_of_work() as s:
        f = Factory(s)
        center = f.center("CCC")
        part = Part(sku="CNT-RACE", name="Считаемая")
        s.add(part)
        s.flush()
        main = center.locations[0]
        journal.move_parts(s, None, part, 5, source=None, target=main, reason=MoveReason.RECEIPT)
        clerk = f.staff(center, Role.WAREHOUSE)
        count = counts.start_count(s, clerk, center.id, main)
        counts.count_scanned(s, clerk, count, identify(s, center.id, "CNT-RACE"), None, 3)
        count_id, clerk_id, part_id, main_id = count.id, clerk.id, part.id, main.id

    barrier, outcomes = threading.Barrier(2), []

    def confirm() -> None:
        session = pg.session()
        try:
            barrier.wait(timeout=30)
            counts.confirm_count(session, session.get(User, clerk_id), session.get(InventoryCount, count_id), "race")
            session.commit()
            outcomes.append("won")
        except StateConflict:
            session.rollback()
            outcomes.append("refused")
        finally:
            session.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["refused", "won"]
    with pg.unit_of_work() as s:
        assert journal.on_hand(s, main_id, part_id) == 3
        assert journal.check_stock(s) == []
